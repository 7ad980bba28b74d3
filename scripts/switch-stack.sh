#!/usr/bin/env bash
# Moves the custom domain to the minimal or the full stack: scripts/switch-stack.sh minimal|full [--dry-run] [--domain D]
# (the work is done by `manuel aws switch-stack`, on the AWS SDK; --dry-run prints every call and sends only reads).
set -euo pipefail
exec node "$(dirname "$0")/../bin/manuel.js" aws switch-stack "$@"
