/** A job that failed MaxRetryAttempts times, or with a permanent error, kept for an operator. */
export interface DeadLetter {
  id: string;
  /** The failed job (ingest: its manual stays `failed` until the dead letter is retried or dropped). */
  jobId: string;
  kind: string;
  manualId: string | null;
  ownerId: string | null;
  errorType: string;
  error: string;
  attempts: number;
  /** When the job was first created, when it first failed, when it was dead-lettered. ISO 8601. */
  createdAt: string;
  firstFailedAt: string;
  deadAt: string;
  /** Times an operator retried it from the DLQ. */
  retries: number;
}

/** Dead-letter queue (SQLite locally, SQS + a table on AWS). */
export interface DeadLetterQueue {
  add(letter: Omit<DeadLetter, 'id' | 'retries'>): Promise<DeadLetter>;
  list(opts?: { limit?: number }): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | null>;
  /** Removes it (retried successfully, or dropped); false when it was not there. */
  remove(id: string): Promise<boolean>;
  /** Counts an operator's retry (the letter stays until its job succeeds). */
  markRetried(id: string): Promise<void>;
  size(): Promise<number>;
}
