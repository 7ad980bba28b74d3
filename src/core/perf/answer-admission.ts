import { ManuelError } from '../errors.js';
import type { Metrics } from '../ports/metrics.js';
import { QueueWaitEstimator } from './queue-wait-estimator.js';

/** Service times measured before shedding starts: a cold process's first answers are no guide. */
export const ADMISSION_MIN_SAMPLES = 8;

export interface AdmissionSlot {
  /** The answer is done (or failed): its place in the queue is free. */
  done(): void;
}

/**
 * Admission control of new (uncached) answers, EnablePerformanceOptimization (docs/decisions/0010,
 * 0016). Only work that queues is judged: retrieval, the embedding of the question and the answer
 * writer. A cached answer costs a fraction of a millisecond and is never refused — judging every
 * question on one queue made a burst of cache hits behind a few slow misses look like overload.
 *
 * `admit()` throws 503 `unavailable` (reason `overloaded`, Retry-After) when the misses already in
 * progress could not all be answered within LatencyThreshold ahead of this one; otherwise the caller
 * holds a slot until its answer is done. Per process: every cluster worker judges its own queue.
 */
export class AnswerAdmission {
  private readonly estimator: QueueWaitEstimator;

  constructor(
    private readonly opts: { thresholdMs: number; metrics: Metrics; estimator?: QueueWaitEstimator },
  ) {
    this.estimator = opts.estimator ?? new QueueWaitEstimator({ minSamples: ADMISSION_MIN_SAMPLES });
  }

  admit(): AdmissionSlot {
    const waitMs = this.estimator.estimateMs();
    if (waitMs > this.opts.thresholdMs) {
      this.opts.metrics.count('requests_shed_total', { route: '/api/query' });
      const retryAfter = Math.max(1, Math.ceil((waitMs - this.opts.thresholdMs) / 1000));
      throw new ManuelError('unavailable', 'The server is at capacity; retry shortly', { retry_after_seconds: retryAfter, reason: 'overloaded' });
    }
    this.estimator.started();
    let done = false;
    return {
      done: () => {
        if (done) return;
        done = true;
        this.estimator.finished();
      },
    };
  }
}
