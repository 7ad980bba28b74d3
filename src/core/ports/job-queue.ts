import type { Job } from '../model/types.js';

/** Durable job queue. A claimed job whose lease expires (worker died) is handed out again. */
export interface JobQueue {
  enqueue(job: Job): Promise<void>;
  /** Atomically take the oldest runnable job and lease it for `leaseMs`. */
  claim(workerId: string, leaseMs: number): Promise<Job | null>;
  /** Extend the lease and record progress. Throws ManuelError 'conflict' when this worker no longer
   * holds the lease (it expired and another worker claimed the job): stop working on it. */
  heartbeat(jobId: string, workerId: string, leaseMs: number, progress?: Partial<Pick<Job, 'stage' | 'statistics'>>): Promise<void>;
  complete(jobId: string, statistics: Record<string, number>): Promise<void>;
  fail(jobId: string, reasons: string[]): Promise<void>;
  /** Give a claimed job back (queued again, runnable after `delayMs`); `refundAttempt` when the worker
   * is only shutting down, so a drain does not use up the job's attempts; `failed` when the attempt
   * failed (sets `firstFailedAt` the first time). No-op if the lease is gone. */
  release(jobId: string, workerId: string, opts?: { delayMs?: number; refundAttempt?: boolean; failed?: boolean }): Promise<void>;
  /** A failed job runs again from scratch (attempts 0, no reasons, runnable now): an operator's retry
   * from the dead-letter queue. Null (and nothing changed) when the job is not `failed` or not there. */
  requeue(jobId: string): Promise<Job | null>;
  get(jobId: string, visibleOwners: readonly string[]): Promise<Job | null>;
  /** Jobs of a manual (newest first); used for cleanup and status. */
  forManual(manualId: string): Promise<Job[]>;
  deleteForManual(manualId: string): Promise<number>;
}
