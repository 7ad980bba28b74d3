import type { UsageEvent } from '../../core/model/types.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { UsageRepo } from '../../core/ports/usage-repo.js';
import { QUOTA_OPERATIONS } from '../../core/usage/usage-info.js';
import { intercept } from './intercept.js';

/** Where the per-minute aggregates take usage from (absent: monitoring is off). */
export interface UsageSink {
  usage(operation: string, costEur: number, userId: string | null): void;
}

/**
 * Wraps the usage history at wiring time: every usage event (query, transcribe, upload), wherever it is
 * recorded, counts `manuel_usage_events_total{operation}`, adds its cost to
 * `manuel_cost_eur_total{operation}` and reaches the per-minute aggregates. Core is untouched.
 */
export function meteredUsageRepo<R extends UsageRepo>(inner: R, metrics: Metrics, sink?: UsageSink): R {
  return intercept<R>(inner, {
    record: async (event: UsageEvent) => {
      await inner.record(event);
      const labels = { operation: event.operation };
      metrics.count('usage_events_total', labels);
      metrics.count('cost_eur_total', labels, event.costEur);
      sink?.usage(event.operation, event.costEur, QUOTA_OPERATIONS.includes(event.operation) ? event.userId : null);
    },
  } as Partial<R>);
}
