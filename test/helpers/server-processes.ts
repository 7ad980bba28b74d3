import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './eval-manuals.js';

import { freePort } from '../../src/entry/free-port.js';

/** The one freePort (src/entry/free-port.ts, used by aws:local's emulators), for the tests that import it from here. */
export { freePort };

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far (warnings, errors). */
  stderr(): string;
  /** SIGTERM, resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `node dist/src/entry/server.js` (what `npm start` runs) as a child process, ready once /health answers. */
export async function spawnServer(env: Record<string, string>, opts: { timeoutMs?: number; keywordOnly?: boolean } = {}): Promise<ServerProcess> {
  const { timeoutMs = 60_000, keywordOnly = true } = opts;
  const port = await freePort();
  // MANUEL_SERVER_NODE_ARGS: node flags for the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to
  // profile a bench's server; cluster workers inherit them). NODE_OPTIONS refuses --cpu-prof.
  const nodeArgs = process.env.MANUEL_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(repoRoot, 'dist', 'src', 'entry', 'server.js')], {
    // Tests default to keyword search only (no embedding threads); benchmarks run as `npm start` would.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...(keywordOnly ? { EmbeddingWorkers: '0' } : {}), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}: ${err}`);
    try {
      if ((await fetch(url + '/health')).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`server did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    child,
    stderr: () => err,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Direct children of a process (the workers of a cluster primary). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
