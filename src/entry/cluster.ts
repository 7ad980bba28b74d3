import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { serveClusterMetrics } from '../adapters/metrics/cluster-metrics.js';
import type { Parameters } from '../config/parameters.js';
import { serveEmbeddings } from '../adapters/embedded/ipc-embedder.js';
import type { Embedder } from '../core/ports/embedder.js';
import { createPrimaryEmbedder } from '../wiring/embedded-primary.js';
import { MALLOC_ENV } from './malloc-env.js';

/**
 * Several server processes on one data dir (EnablePerformanceOptimization; docs/decisions/0010).
 * The primary supervises: it forks `server.js` N times (node:cluster shares the listening socket),
 * restarts a worker that dies, and on SIGTERM/SIGINT asks every worker to drain and exits 0 once they
 * all have. It also holds the one embedding model of the cluster: workers embed through it over IPC
 * (docs/decisions/0016), and answers a worker's GET /metrics with every worker's figures
 * (cluster-metrics.ts). Everything else shared lives in the data dir (SQLite in WAL, job leases,
 * the JWT secret file) or in Redis.
 */

/** `--workers` / MANUEL_WORKERS, else one per core when EnablePerformanceOptimization is on, else 1. */
export function workerCount(p: Pick<Parameters, 'EnablePerformanceOptimization'>, requested?: string | number): number {
  const n = Number(requested);
  if (requested !== undefined && requested !== '' && Number.isInteger(n) && n >= 1) return n;
  return p.EnablePerformanceOptimization ? availableParallelism() : 1;
}

/**
 * Without a shared embedder (sharedEmbedder: false), the model is loaded once per process (~100 MB)
 * with EmbeddingWorkers threads each: N processes share the configured thread count instead of
 * multiplying it (at least one each).
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
  /** The primary holds the one embedding model and workers embed through it (default); false: each worker loads its own. */
  sharedEmbedder?: boolean;
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
  const shared = (opts.sharedEmbedder ?? process.env.MANUEL_SHARED_EMBEDDER !== '0') && opts.parameters.EmbeddingWorkers > 0;
  // Loading starts now, beside the workers' start-up; a request that comes first waits for it.
  const embedder: Promise<Embedder | null> | null = shared ? createPrimaryEmbedder(opts.parameters.EmbeddingWorkers, log) : null;
  const env = {
    ...MALLOC_ENV, // memory freed by a worker goes back to the system (unless the environment says otherwise)
    ...opts.env,
    MANUEL_WORKERS: '1', // a worker never forks again
    ...(shared
      ? { MANUEL_SHARED_EMBEDDER: '1' }
      : { EmbeddingWorkers: String(embeddingThreadsPerWorker(opts.parameters.EmbeddingWorkers, opts.workers)) }),
  };
  // 'advanced': structured clone over IPC, so vectors travel as Float32Arrays, not JSON.
  cluster.setupPrimary({ exec: serverScript, args: [], serialization: 'advanced' });
  serveClusterMetrics(); // a worker's GET /metrics gets every worker's figures from here
  let stopping = false;
  const startedAt = new Map<Worker, number>();
  const fork = () => {
    const worker = cluster.fork(env);
    if (embedder) serveEmbeddings(worker, embedder);
    startedAt.set(worker, Date.now());
  };

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
        const closeEmbedder = () => void (embedder ?? Promise.resolve(null)).then((e) => e?.close?.()).finally(resolve);
        const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
        if (live.length === 0) return closeEmbedder();
        let left = live.length;
        for (const w of live) {
          w.once('exit', () => --left === 0 && closeEmbedder());
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
