export type DependencyStatus = 'ok' | 'degraded' | 'down';

export interface ProbeResult {
  status: DependencyStatus;
  /** Why it is not ok, or what stands in for it. */
  detail?: string;
  /** Ingestion: jobs waiting for the worker. */
  queueDepth?: number;
}

/** A real, cheap check of one dependency for GET /health/deep (a PING, a SELECT 1, a GET of /v1/models). */
export interface HealthProbe {
  /** database, redis, embedder, transcriber, answer-endpoint, ingest */
  readonly name: string;
  /** The circuit breaker guarding calls to it, if any (a Breakers service name). */
  readonly breaker?: string;
  check(signal: AbortSignal): Promise<ProbeResult>;
}
