import type { ChildProcess } from 'node:child_process';
import { spawnServer } from '../test/helpers/server-processes.js';

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
