#!/usr/bin/env node
// The `manuel` command: the compiled CLI lives in dist/ (`npm run build`).
let cli;
try {
  cli = await import('../dist/src/entry/cli/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/src/entry/cli/main.js')) {
    process.stderr.write('manuel: the CLI is not built yet; run `npm run build` in the manuel folder\n');
    process.exit(1);
  }
  throw e;
}
// Exit explicitly: a lingering handle (a keep-alive socket, a worker) must not keep a finished command alive.
process.exit(await cli.main(process.argv));
