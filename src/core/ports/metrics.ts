/** Counters and histograms an operator reads (Prometheus locally, CloudWatch EMF on AWS). Names are snake_case. */
export interface Metrics {
  /** Adds `n` (default 1) to the counter `name` with these labels. */
  count(name: string, labels?: Record<string, string>, n?: number): void;
  /** Records one observation (a latency in seconds, a size) in the histogram `name`. */
  observe(name: string, value: number, labels?: Record<string, string>): void;
  /** Current value of a counter (sum over label sets not given); for tests and the dashboard. */
  value(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Counts nothing: for callers that take metrics optionally. */
export const noMetrics: Metrics = { count() {}, observe() {}, value: async () => 0 };
