/** One labelled value of a gauge read at scrape time. */
export interface GaugeReading {
  labels: Record<string, string>;
  value: number;
}

/** What a gauge reads: one value (null: unknown, not exported), or one value per label set. */
export type GaugeValue = number | null | GaugeReading[];

/** Counters and histograms an operator reads (Prometheus locally, CloudWatch EMF on AWS). Names are snake_case. */
export interface Metrics {
  /** Adds `n` (default 1) to the counter `name` with these labels. */
  count(name: string, labels?: Record<string, string>, n?: number): void;
  /** Records one observation (a latency in seconds, a size) in the histogram `name`. */
  observe(name: string, value: number, labels?: Record<string, string>): void;
  /** Current value of a counter (sum over label sets not given); for tests and the dashboard. */
  value(name: string, labels?: Record<string, string>): Promise<number>;
  /**
   * Registers a gauge read only when the metrics are scraped (queue depth, DLQ size, breaker states):
   * it costs nothing between scrapes. `labelNames` when `read` returns readings. Registering a name
   * again replaces its reader. Absent on backends without scrapes.
   */
  gauge?(name: string, help: string, read: () => GaugeValue | Promise<GaugeValue>, labelNames?: string[]): void;
  /** The exposition of every metric (Prometheus text), for `GET /metrics`; absent on push backends (EMF). */
  scrape?(): Promise<{ contentType: string; body: string }>;
}

/** Counts nothing: for callers that take metrics optionally. */
export const noMetrics: Metrics = { count() {}, observe() {}, value: async () => 0 };
