import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './eval-manuals.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end with `input` on stdin, collecting its output. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The CLI's entry point. */
export const MANUEL_BIN = join(repoRoot, 'bin', 'manuel.js');

/**
 * Runs the CLI (bin/manuel.js) with `configDir` as its config folder, against `server` when given;
 * the MANUEL_* settings of the test's own environment are cleared, `env` adds to them.
 */
export function runManuel(args: string[], opts: { configDir: string; server?: string; env?: Record<string, string>; input?: string }): Promise<Run> {
  const env = { ...process.env, MANUEL_CONFIG_DIR: opts.configDir, MANUEL_SERVER: '', MANUEL_API_KEY: '', MANUEL_ADMIN_TOKEN: '', MANUEL_SERVER_KEY: '', ...opts.env };
  return runCommand(process.execPath, [MANUEL_BIN, ...(opts.server ? ['--server', opts.server] : []), ...args], env, opts.input ?? '');
}

/** A run that succeeded (exit 0; stderr shown otherwise), for chaining. */
export function succeeded(r: Run): Run {
  assert.equal(r.code, 0, r.stderr);
  return r;
}

/** A CLI failure: exit code non-zero and exactly one line on stderr, `manuel: ...` matching `pattern`. */
export function assertOneLineFailure(r: Run, pattern: RegExp): void {
  assert.notEqual(r.code, 0, `expected a failure, got stdout ${r.stdout}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^manuel: /);
  assert.match(lines[0]!, pattern);
}
