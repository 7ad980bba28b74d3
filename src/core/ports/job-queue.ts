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
   * is only shutting down, so a drain does not use up the job's attempts. No-op if the lease is gone. */
  release(jobId: string, workerId: string, opts?: { delayMs?: number; refundAttempt?: boolean }): Promise<void>;
  get(jobId: string, visibleOwners: readonly string[]): Promise<Job | null>;
  /** Jobs of a manual (newest first); used for cleanup and status. */
  forManual(manualId: string): Promise<Job[]>;
  deleteForManual(manualId: string): Promise<number>;
}
