import type { BreakerState, Breakers } from '../ports/breakers.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IngestBacklog } from '../ports/ingest-backlog.js';
import type { Metrics } from '../ports/metrics.js';

const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half_open', 'isolated'];

/**
 * Gauges read when /metrics is scraped (nothing is computed between scrapes): ingestion backlog,
 * dead letters and circuit breakers. `ops` is read at each scrape, so parts wired later still show.
 */
export function registerServiceGauges(metrics: Metrics, deps: { backlog: IngestBacklog; ops: () => { deadLetters?: DeadLetterQueue; breakers?: Breakers } }): void {
  if (!metrics.gauge) return;
  const { backlog, ops } = deps;
  metrics.gauge('ingest_queue_depth', 'Ingest jobs waiting to run', () => backlog.queued());
  metrics.gauge('ingest_jobs_in_progress', 'Ingest jobs a worker holds', () => backlog.inProgress());
  metrics.gauge('embedding_backlog_chunks', 'Indexed chunks still without a vector', () => backlog.embeddingBacklog());
  // Labelled so that without a DLQ (error handling off) no series is exported, rather than a false 0.
  metrics.gauge(
    'dlq_size',
    'Jobs in the dead-letter queue',
    async () => {
      const dlq = ops().deadLetters;
      return dlq ? [{ labels: { queue: 'ingest' }, value: await dlq.size() }] : [];
    },
    ['queue'],
  );
  metrics.gauge(
    'breaker_state',
    'Circuit breaker state per dependency (1 for the current state)',
    () => (ops().breakers?.list() ?? []).flatMap((b) => BREAKER_STATES.map((state) => ({ labels: { service: b.service, state }, value: b.state === state ? 1 : 0 }))),
    ['service', 'state'],
  );
  metrics.gauge(
    'breaker_failures',
    'Consecutive failures counted by each circuit breaker',
    () => (ops().breakers?.list() ?? []).map((b) => ({ labels: { service: b.service }, value: b.failures })),
    ['service'],
  );
}
