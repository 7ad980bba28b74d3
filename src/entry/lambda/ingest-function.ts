import type { Context as LambdaContext, S3Event } from 'aws-lambda';
import type { Logger } from '../../core/ports/logger.js';

/** What the handler drives: the ingestion worker of src/core/ingest (IngestWorker), not a copy of its steps. */
export interface IngestWorkerLike {
  start(): void;
  stop(drainMs?: number): Promise<void>;
  readonly busy: boolean;
}

export interface IngestRuntime {
  worker: IngestWorkerLike;
  logger: Logger;
  /** Longest wait before a failed attempt is retried (the worker's backoff): the handler stays that long for it. */
  retryWindowMs: number;
  /** Flush metrics and alerts before the container is frozen. */
  afterInvocation?(): Promise<void>;
}

export interface IngestFunctionOptions {
  /** Kept free at the end of the invocation for the drain and the response (default 15 s). */
  marginMs?: number;
  /** How often the handler looks at the worker (default 100 ms). */
  tickMs?: number;
}

export interface IngestResult {
  keys: string[];
  /** True when the time ran out with a job still running (it was handed back, the invocation fails for a retry). */
  cutShort: boolean;
}

/** The object keys of an S3 ObjectCreated notification (URL-encoded, spaces as '+', in the event). */
export function s3Keys(event: unknown): string[] {
  const records = (event as Partial<S3Event> | null)?.Records;
  if (!Array.isArray(records)) return [];
  return records
    .filter((r) => r?.eventSource === 'aws:s3' && String(r.eventName ?? '').startsWith('ObjectCreated'))
    .map((r) => decodeURIComponent(String(r.s3.object.key).replace(/\+/g, ' ')));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * ProcessManual: an upload's PDF landing in the manuals bucket (S3 ObjectCreated), or a schedule, runs the
 * ingestion worker of the embedded shape for the length of the invocation. It claims the queued jobs in
 * order (the new manual's job among them) with the same lease, heartbeat, retry and dead-letter rules, and
 * stops once it has been idle for a retry window, so a job released for a retry is taken again here. A job
 * still running when the time runs out is handed back (attempt refunded) and the invocation fails, so
 * Lambda's asynchronous retry (then its on-failure destination) takes over; a killed container's lease
 * simply expires and the next invocation takes the job.
 */
export function ingestFunction(runtime: () => Promise<IngestRuntime>, opts: IngestFunctionOptions = {}) {
  const marginMs = opts.marginMs ?? 15_000;
  const tickMs = opts.tickMs ?? 100;
  return async (event: unknown, context: Pick<LambdaContext, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<IngestResult> => {
    const keys = s3Keys(event);
    const rt = await runtime();
    try {
      return await drain(rt, keys, event, context);
    } finally {
      await rt.afterInvocation?.().catch((e: unknown) => rt.logger.warn({ err: e }, 'after-invocation flush failed'));
    }
  };

  async function drain(rt: IngestRuntime, keys: string[], event: unknown, context: Pick<LambdaContext, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<IngestResult> {
    const { worker, logger, retryWindowMs } = rt;
    const log = logger.child({ component: 'process-manual', aws_request_id: context.awsRequestId });
    // Only PDFs of manuals start work (blobKeyFor in core/ingest); a schedule (no records) always does.
    if (Array.isArray((event as Partial<S3Event> | null)?.Records) && !keys.some((k) => k.startsWith('manuals/'))) {
      log.info({ keys }, 'no manual in this notification');
      return { keys, cutShort: false };
    }
    const started = Date.now();
    const budget = Math.max(0, context.getRemainingTimeInMillis() - marginMs);
    log.info({ keys, budget_ms: budget }, 'ingesting');
    worker.start();
    let lastBusy = Date.now();
    for (;;) {
      await sleep(tickMs);
      if (worker.busy) lastBusy = Date.now();
      else if (Date.now() - lastBusy >= retryWindowMs + tickMs) break;
      if (Date.now() - started >= budget) break;
    }
    const cutShort = worker.busy;
    await worker.stop(cutShort ? 0 : Math.max(0, budget - (Date.now() - started)));
    if (cutShort) {
      log.warn({ keys, ms: Date.now() - started }, 'time ran out with a job running: handed back for the retry of this invocation');
      throw new Error('ingestion did not finish within this invocation; the job was handed back');
    }
    log.info({ keys, ms: Date.now() - started }, 'ingestion idle');
    return { keys, cutShort };
  }
}
