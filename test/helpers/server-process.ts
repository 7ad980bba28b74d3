import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-processes.js';

export { freePort };

// dist/test/helpers -> dist/src/entry/server.js
const serverJs = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'entry', 'server.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Log lines (pino JSON) the process printed so far. */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** The built server (`node dist/src/entry/server.js`) as a child process, configured by environment variables. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'manuel-proc-'));
  const child = spawn(process.execPath, [serverJs], {
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: dataDir, LOG_LEVEL: 'info', EmbeddingWorkers: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('server process did not start in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'listening') {
            clearTimeout(timer);
            resolveUrl(String(entry.url));
          }
        } catch {
          /* not a log line */
        }
      }
    });
  });
  return {
    url,
    child,
    logs,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Fires `total` GETs with `concurrency` in flight, round-robin over `urls`; answers the status counts. */
export async function hammer(urls: string[], total: number, concurrency: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const res = await fetch(urls[i % urls.length]!);
      await res.arrayBuffer();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}
