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
 * progress could not all be answered within LatencyThreshold ahead of this one, and either
 * - the queue is standing: every answer completed during the last LatencyThreshold (at least 1 s)
 *   really took longer than LatencyThreshold (CoDel's test: even the luckiest request waited too
 *   long), or
 * - the projection is far past it (twice LatencyThreshold): a burst no queue could absorb.
 * A projection only a little over the threshold, with answers still arriving in time, is noise (a
 * pause, a neighbour's burst of CPU) and is admitted: shedding on it made clients that retry at once
 * (load generators, impatient users) flood the server with refused requests that cost CPU the
 * answers needed, and the shedding fed itself.
 *
 * Otherwise the caller holds a slot until its answer is done. Per process: every cluster worker
 * judges its own queue.
 */
export class AnswerAdmission {
  private readonly estimator: QueueWaitEstimator;
  private readonly now: () => number;
  /** (completion time, time from admission to completion) of recent answers, oldest first. */
  private readonly recent: { at: number; ms: number }[] = [];

  constructor(
    private readonly opts: { thresholdMs: number; metrics: Metrics; estimator?: QueueWaitEstimator; nowMs?: () => number },
  ) {
    this.now = opts.nowMs ?? (() => performance.now());
    this.estimator = opts.estimator ?? new QueueWaitEstimator({ minSamples: ADMISSION_MIN_SAMPLES, nowMs: this.now });
  }

  /** Every answer completed within the last window took longer than the threshold. */
  private standingQueue(): boolean {
    const since = this.now() - Math.max(1000, this.opts.thresholdMs);
    while (this.recent.length > 0 && this.recent[0]!.at < since) this.recent.shift();
    return this.recent.length > 0 && this.recent.every((r) => r.ms > this.opts.thresholdMs);
  }

  admit(): AdmissionSlot {
    const waitMs = this.estimator.estimateMs();
    const threshold = this.opts.thresholdMs;
    if (waitMs > threshold && (waitMs > 2 * threshold || this.standingQueue())) {
      this.opts.metrics.count('requests_shed_total', { route: '/api/query' });
      const retryAfter = Math.max(1, Math.ceil((waitMs - threshold) / 1000));
      throw new ManuelError('unavailable', 'The server is at capacity; retry shortly', { retry_after_seconds: retryAfter, reason: 'overloaded' });
    }
    this.estimator.started();
    const admittedAt = this.now();
    let done = false;
    return {
      done: () => {
        if (done) return;
        done = true;
        this.estimator.finished();
        const at = this.now();
        this.recent.push({ at, ms: at - admittedAt });
        if (this.recent.length > 4096) this.recent.splice(0, this.recent.length - 4096);
      },
    };
  }
}
