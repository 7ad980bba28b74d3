#!/usr/bin/env bash
# Rolls back to the minimal stack: scripts/rollback-to-minimal.sh emergency|standard [--dry-run] [--domain D] [--out DIR]
# emergency: switch the domain now. standard: export the full stack's tables and buckets to a dated folder, then switch.
set -euo pipefail
exec node "$(dirname "$0")/../bin/manuel.js" aws rollback "$@"
