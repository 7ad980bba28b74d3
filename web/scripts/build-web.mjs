#!/usr/bin/env node
// Builds the browser app into web/dist, from the root `npm run build` too. Skips `npm ci` when
// web/node_modules matches the lock file and skips Vite when dist is newer than every input, so
// repeated `npm test` runs stay fast; `--force` rebuilds anyway.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompress } from './precompress.mjs';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const newest = (p) => {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  return s.isDirectory() ? Math.max(s.mtimeMs, ...readdirSync(p).map((n) => newest(join(p, n)))) : s.mtimeMs;
};

const lock = join(web, 'package-lock.json');
if (force || mtime(join(web, 'node_modules', '.package-lock.json')) < mtime(lock)) {
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: web, stdio: 'inherit' });
}

const inputs = ['src', 'index.html', 'vite.config.ts', 'package-lock.json', '../src/adapters/embedded/passage-highlight-matcher.ts'];
const built = mtime(join(web, 'dist', 'index.html'));
if (force || built === 0 || Math.max(...inputs.map((p) => newest(join(web, p)))) > built) {
  execFileSync(npm, ['run', 'build'], { cwd: web, stdio: 'inherit' });
  const { files, saved } = precompress(join(web, 'dist'));
  console.log(`web: precompressed ${files} files (brotli saves ${Math.round(saved / 1024)} KB)`);
} else {
  console.log('web: dist is up to date');
}
