import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { Parameters } from '../../config/parameters.js';
import { ManuelError } from '../../core/errors.js';
import type { Metrics } from '../../core/ports/metrics.js';
import { QueueWaitEstimator } from '../../core/perf/queue-wait-estimator.js';
import { errorResponse } from './error-handler.js';

export interface AdmissionOptions {
  parameters: Pick<Parameters, 'EnablePerformanceOptimization' | 'LatencyThreshold'>;
  metrics: Metrics;
  estimator?: QueueWaitEstimator;
}

/**
 * Admission control for answers (EnablePerformanceOptimization): when the requests already waiting
 * could not all be answered within LatencyThreshold, refuse at once with 503 and Retry-After instead
 * of letting the client time out. Per process: every cluster worker judges its own queue.
 */
/** Service times measured before shedding starts: a cold process's first answers are no guide. */
export const ADMISSION_MIN_SAMPLES = 8;

export function admissionControl(opts: AdmissionOptions): MiddlewareHandler<AppEnv> {
  if (!opts.parameters.EnablePerformanceOptimization) return (_c, next) => next();
  const estimator = opts.estimator ?? new QueueWaitEstimator({ minSamples: ADMISSION_MIN_SAMPLES });
  const threshold = opts.parameters.LatencyThreshold;
  return async (c, next) => {
    const waitMs = estimator.estimateMs();
    if (waitMs > threshold) {
      opts.metrics.count('requests_shed_total', { route: '/api/query' });
      const retryAfter = Math.max(1, Math.ceil((waitMs - threshold) / 1000));
      // Answered here, not thrown: a shed request is expected under overload, not an error to log each time.
      return errorResponse(c, new ManuelError('unavailable', 'The server is at capacity; retry shortly', { retry_after_seconds: retryAfter, reason: 'overloaded' }));
    }
    estimator.started();
    try {
      await next();
    } finally {
      estimator.finished();
    }
  };
}
