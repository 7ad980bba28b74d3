/** What ingestion still has to do, read when metrics are scraped and once a minute (dashboard). */
export interface IngestBacklog {
  /** Jobs waiting to run (queued, including those waiting out a retry delay). */
  queued(): Promise<number>;
  /** Jobs a worker holds right now. */
  inProgress(): Promise<number>;
  /** Chunks indexed for keywords but still without a vector (0 when there is no embedder). */
  embeddingBacklog(): Promise<number>;
}
