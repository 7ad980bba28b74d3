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
  /** Attempts of the job's last run before it was dead-lettered (a retry from the DLQ starts from 0). */
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
  /**
   * Keeps a letter, or updates the one already kept for the same job, or for the same manual (a job
   * retried from the DLQ, or a re-upload, that fails again is never a second letter). An update keeps
   * `id`, `firstFailedAt` (the earliest) and `retries`, and takes the rest from `letter`.
   */
  add(letter: Omit<DeadLetter, 'id' | 'retries'>): Promise<DeadLetter>;
  /** Newest (deadAt) first. */
  list(opts?: { limit?: number }): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | null>;
  /** Removes it (dropped by an operator); false when it was not there. */
  remove(id: string): Promise<boolean>;
  /** Removes the letters of a job (it has now succeeded) or of a manual (it succeeded or was deleted); how many. */
  removeFor(subject: { jobId?: string; manualId?: string }): Promise<number>;
  /** Counts an operator's retry (the letter stays until its job succeeds). */
  markRetried(id: string): Promise<void>;
  size(): Promise<number>;
}
