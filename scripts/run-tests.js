#!/usr/bin/env node
// Runs every compiled test (dist/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.js [substring...]  (only files whose path contains one of them)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.test.js') && (filters.length === 0 || filters.some((f) => p.includes(f)))) files.push(p);
  }
};
walk('dist');
files.sort();
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/ (did the build run?)');
  process.exit(1);
}
// Fetch the eval manuals once, before test files run in parallel and race to fetch them.
const { evalManualsDir } = await import('../dist/test/helpers/eval-manuals.js');
evalManualsDir();
// A test that hangs fails after 10 minutes (the longest, the end-to-end runs of `manuel check`, take
// about one) instead of holding the whole run until CI gives up.
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
