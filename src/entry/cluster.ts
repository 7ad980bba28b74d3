import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Parameters } from '../config/parameters.js';
import { MALLOC_ENV } from './malloc-env.js';

/**
 * Several server processes on one data dir (EnablePerformanceOptimization; docs/decisions/0010).
 * The primary only supervises: it forks `server.js` N times (node:cluster shares the listening
 * socket), restarts a worker that dies, and on SIGTERM/SIGINT asks every worker to drain and exits 0
 * once they all have. Everything shared lives in the data dir (SQLite in WAL, job leases, the JWT
 * secret file) or in Redis, so workers need no messages from the primary.
 */

/** `--workers` / MANUEL_WORKERS, else one per core when EnablePerformanceOptimization is on, else 1. */
export function workerCount(p: Pick<Parameters, 'EnablePerformanceOptimization'>, requested?: string | number): number {
  const n = Number(requested);
  if (requested !== undefined && requested !== '' && Number.isInteger(n) && n >= 1) return n;
  return p.EnablePerformanceOptimization ? availableParallelism() : 1;
}

/**
 * The embedding model is loaded once per process (~100 MB) with EmbeddingWorkers threads each:
 * N processes share the configured thread count instead of multiplying it (at least one each).
 */
export function embeddingThreadsPerWorker(embeddingWorkers: number, workers: number): number {
  return embeddingWorkers === 0 ? 0 : Math.max(1, Math.floor(embeddingWorkers / workers));
}

export interface PrimaryOptions {
  workers: number;
  parameters: Pick<Parameters, 'EmbeddingWorkers'>;
  /** Extra environment of every worker (PORT, HOST, MANUEL_DATA_DIR... as the CLI sets them). */
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** A worker dying sooner than this after its start is restarted only after a pause (crash loops). */
  minUptimeMs?: number;
}

export interface Primary {
  /** Resolves with the port once the first worker listens. */
  listening: Promise<number>;
  /** Asks every worker to drain (SIGTERM) and resolves when they have all exited. */
  stop(): Promise<void>;
}

const serverScript = fileURLToPath(new URL('./server.js', import.meta.url));

export function startPrimary(opts: PrimaryOptions): Primary {
  const log = opts.log ?? ((m: string) => process.stderr.write(`manuel: ${m}\n`));
  const minUptimeMs = opts.minUptimeMs ?? 5000;
  const env = {
    ...MALLOC_ENV, // memory freed by a worker goes back to the system (unless the environment says otherwise)
    ...opts.env,
    MANUEL_WORKERS: '1', // a worker never forks again
    EmbeddingWorkers: String(embeddingThreadsPerWorker(opts.parameters.EmbeddingWorkers, opts.workers)),
  };
  cluster.setupPrimary({ exec: serverScript, args: [] });
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => startedAt.set(cluster.fork(env), Date.now());

  let resolveListening!: (port: number) => void;
  const listening = new Promise<number>((r) => (resolveListening = r));
  cluster.on('listening', (_w, address) => resolveListening(address.port));
  cluster.on('exit', (worker, code, signal) => {
    const uptime = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (stopping) return;
    log(`worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(() => stopping || fork(), uptime < minUptimeMs ? 1000 : 0).unref();
  });
  for (let i = 0; i < opts.workers; i++) fork();

  let stopped: Promise<void> | null = null;
  return {
    listening,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        stopping = true;
        const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
        if (live.length === 0) return resolve();
        let left = live.length;
        for (const w of live) {
          w.once('exit', () => --left === 0 && resolve());
          w.process.kill('SIGTERM'); // each worker drains its requests and its ingest job, then exits 0
        }
      })),
  };
}

/** `npm start` / `manuel serve` with more than one worker: supervise until SIGTERM/SIGINT, then exit 0. */
export async function runPrimary(opts: PrimaryOptions): Promise<number> {
  const primary = startPrimary(opts);
  const onSignal = (signal: string) => {
    (opts.log ?? ((m: string) => process.stderr.write(`manuel: ${m}\n`)))(`${signal}: draining ${opts.workers} workers`);
    void primary.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  return primary.listening;
}
