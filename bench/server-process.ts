import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer } from '../test/helpers/server-processes.js';
import { ApiClient } from './http-client.js';

export { freePort } from '../test/helpers/server-processes.js';

/** Starts `node dist/src/entry/server.js` as a child process, as `npm start` would (embeddings on). */
export async function startServerProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const server = await spawnServer(env, { keywordOnly: false });
  return {
    url: server.url,
    child: server.child,
    stop: async () => {
      await server.stop();
    },
  };
}

/** The user `npm run bench:load -- --prepared DIR` signs up in the data dir it prepares. */
export const BENCH_USER = { email: 'load-bench@example.com', password: 'load-bench-password-123' } as const;

/**
 * A server on a fresh copy of a prepared data dir (so every run starts from the same files), `env` on
 * top (MANUEL_PARAMETERS, limits). After `settleMs` (cluster workers come up one by one: let them
 * listen before load starts) it signs in as the bench user. stop() also deletes the copy.
 */
export async function startOnPreparedCopy(
  prepared: string,
  env: Record<string, string>,
  settleMs = 3000,
): Promise<{ url: string; child: ChildProcess; api: ApiClient; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'manuel-bench-'));
  cpSync(prepared, dataDir, { recursive: true });
  const server = await startServerProcess({ MANUEL_DATA_DIR: dataDir, ...env });
  const stop = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const api = new ApiClient(server.url);
    api.token = (await api.call('POST', '/api/auth/login', BENCH_USER)).access_token;
    return { url: server.url, child: server.child, api, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
