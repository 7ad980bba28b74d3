import type { Job } from '../../core/model/types.js';
import type { JobQueue } from '../../core/ports/job-queue.js';
import type { Metrics } from '../../core/ports/metrics.js';
import { intercept } from './intercept.js';

/** Where the per-minute aggregates take ingestion from (absent: monitoring is off). */
export interface IngestSink {
  jobQueued(): void;
  ingested(pages: number, chunks: number): void;
}

/**
 * Wraps the job queue at wiring time: enqueues, completions (with the pages and chunks the job
 * reports) and failures are counted (`manuel_ingest_jobs_total{event}`, `manuel_pages_ingested_total`,
 * `manuel_chunks_indexed_total`; per second is `rate()`). Core is untouched.
 */
export function meteredJobQueue<Q extends JobQueue>(inner: Q, metrics: Metrics, sink?: IngestSink): Q {
  return intercept<Q>(inner, {
    enqueue: async (job: Job) => {
      await inner.enqueue(job);
      metrics.count('ingest_jobs_total', { event: 'queued' });
      sink?.jobQueued();
    },
    complete: async (jobId: string, statistics: Record<string, number>) => {
      await inner.complete(jobId, statistics);
      const pages = statistics.pages ?? 0;
      const chunks = statistics.chunks ?? 0;
      metrics.count('ingest_jobs_total', { event: 'completed' });
      metrics.count('pages_ingested_total', {}, pages);
      metrics.count('chunks_indexed_total', {}, chunks);
      sink?.ingested(pages, chunks);
    },
    fail: async (jobId: string, reasons: string[]) => {
      await inner.fail(jobId, reasons);
      metrics.count('ingest_jobs_total', { event: 'failed' });
    },
  } as Partial<Q>);
}
