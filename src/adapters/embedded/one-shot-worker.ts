import { Worker } from 'node:worker_threads';

export interface OneShotLimits {
  /** Wall-clock budget; past it the worker is terminated. */
  timeoutMs: number;
  /** V8 heap of the worker (old generation). ArrayBuffers (the PDF's bytes) live outside it. */
  memoryMb: number;
}

export type OneShotResult<M> = { ok: true; message: M } | { ok: false; failure: 'timeout' | 'memory' | 'crash'; detail: string };

/**
 * Runs one task in a fresh worker thread and ends it: the first message it posts is the answer.
 * The worker has its own heap limit, so whatever the input does (loop, exhaust memory, crash),
 * only that worker dies; and all it held is returned to the system when it ends, instead of
 * growing the server's own heap.
 */
export function runOneShotWorker<M>(url: URL, workerData: unknown, limits: OneShotLimits): Promise<OneShotResult<M>> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(url, {
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(32, limits.memoryMb), stackSizeMb: 4 },
    });
    const finish = (r: OneShotResult<M>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ ok: false, failure: 'timeout', detail: `longer than ${limits.timeoutMs} ms` }), limits.timeoutMs);
    worker.on('message', (m: M) => finish({ ok: true, message: m }));
    worker.on('error', (e: Error & { code?: string }) =>
      finish(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { ok: false, failure: 'memory', detail: `more than ${limits.memoryMb} MB` } : { ok: false, failure: 'crash', detail: e.message }),
    );
    worker.on('exit', (code) => finish({ ok: false, failure: 'crash', detail: `the worker stopped (exit ${code})` }));
  });
}
