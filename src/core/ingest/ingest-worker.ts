import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Job } from '../model/types.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import { announceJobFailure, keepDeadLetter, type JobFailureOps } from './dead-letters.js';
import { failureCode, ingestManual, markIngestFailed, PERMANENT_INGEST_ERRORS, type IngestDeps, type IngestOptions, type IngestProgress } from './ingest-manual.js';

/** What the worker runs for a claimed job; `failed` is called once when the job is given up. */
export interface JobHandler {
  run(job: Job, progress: (p: IngestProgress) => Promise<void>): Promise<Record<string, number>>;
  failed(job: Job, reason: string): Promise<void>;
  /** Errors no retry can fix (their code becomes the reason at once). */
  isPermanent(e: unknown): boolean;
}

export function ingestJobHandler(deps: IngestDeps, opts: IngestOptions = {}): JobHandler {
  return {
    run: (job, progress) => ingestManual(deps, job, progress, opts),
    failed: (job, reason) => markIngestFailed(deps, job, reason.split(':')[0]!),
    isPermanent: (e) => PERMANENT_INGEST_ERRORS.has(failureCode(e)),
  };
}

export interface IngestWorkerOptions {
  /** Default `<host>:<pid>:<random>`, so a restart can tell a dead worker's leases (see wiring). */
  workerId?: string;
  /** How long a claim stays ours without a heartbeat; a killed worker's job is retaken after this. */
  leaseMs?: number;
  heartbeatMs?: number;
  /** Poll interval when idle (an enqueue in this process wakes the worker at once via notify()). */
  pollMs?: number;
  /** Attempts per job, the first included (EnableAdvancedErrorHandling: MaxRetryAttempts). */
  maxAttempts?: number;
  /** Linear backoff when `retryDelay` is not given: retryDelayMs × failed attempts (default 2000). */
  retryDelayMs?: number;
  /** Wait before the next attempt after `failedAttempts` failures (EnableAdvancedErrorHandling: exponential, full jitter). */
  retryDelay?: (failedAttempts: number) => number;
}

export interface IngestWorkerDeps {
  queue: JobQueue;
  handler: JobHandler;
  logger: Logger;
  /** Where a job given up for good is reported (DLQ, error tracker, notifier); read at failure time, so parts wired later count. */
  ops?: JobFailureOps;
  clock?: Clock;
}

/** Raised inside the handler (through its progress callback) to abandon the job. */
class Abandon extends Error {
  constructor(readonly why: 'lease_lost' | 'stopping') {
    super(why);
  }
}

/**
 * Claims ingest jobs one at a time with a lease, heartbeats while working, completes or fails them.
 * Transient errors are retried (with backoff) until maxAttempts; a job whose lease expired more often
 * than that (the process keeps dying on it) is failed without running it again.
 */
export class IngestWorker {
  readonly workerId: string;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly maxAttempts: number;
  private readonly retryDelay: (failedAttempts: number) => number;
  private readonly clock: Clock;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private drainExpired = false;
  private current: Job | null = null;

  constructor(
    private readonly deps: IngestWorkerDeps,
    opts: IngestWorkerOptions = {},
  ) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(50, Math.floor(this.leaseMs / 3));
    this.pollMs = opts.pollMs ?? 1000;
    this.maxAttempts = opts.maxAttempts ?? 3;
    const linearMs = opts.retryDelayMs ?? 2000;
    this.retryDelay = opts.retryDelay ?? ((n) => linearMs * n);
    this.clock = deps.clock ?? systemClock;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.drainExpired = false;
    this.loop = this.run();
  }

  /** A job was enqueued: stop waiting for the next poll. */
  notify(): void {
    this.wake?.();
  }

  isRunning(): boolean {
    return this.running;
  }

  get busy(): boolean {
    return this.current !== null;
  }

  /**
   * Stop taking jobs. The current job may finish within `drainMs`; after that it is abandoned at its
   * next progress step and released (attempt refunded) for the next start. Resolves when idle.
   */
  async stop(drainMs = 10_000): Promise<void> {
    this.running = false;
    this.notify();
    if (!this.loop) return;
    const timer = setTimeout(() => (this.drainExpired = true), drainMs);
    try {
      await this.loop;
    } finally {
      clearTimeout(timer);
      this.loop = null;
    }
  }

  /** Claim and process one job; false when the queue had nothing runnable. */
  async runOnce(): Promise<boolean> {
    const job = await this.deps.queue.claim(this.workerId, this.leaseMs);
    if (!job) return false;
    await this.process(job);
    return true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (e) {
        this.deps.logger.error({ err: e, worker: this.workerId }, 'ingest worker loop error');
      }
      if (!worked && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async process(job: Job): Promise<void> {
    const log = this.deps.logger.child({ job_id: job.id, manual_id: job.manualId, attempt: job.attempts });
    const { queue, handler } = this.deps;
    if (job.attempts > this.maxAttempts) {
      // This claim is not an attempt: the job is failed without running it again.
      const runs = { ...job, attempts: job.attempts - 1 };
      await this.giveUp(runs, 'attempts_exhausted', `the worker stopped ${runs.attempts} times while ingesting`, log);
      return;
    }
    this.current = job;
    // Per job, so a late heartbeat of a finished job can never abandon the next one.
    const lease = { lost: false };
    let last: IngestProgress | undefined;
    const beat = async () => {
      if (lease.lost) return;
      try {
        await queue.heartbeat(job.id, this.workerId, this.leaseMs, last);
      } catch (e) {
        log.warn({ err: e }, 'lease lost');
        lease.lost = true;
      }
    };
    const timer = setInterval(() => void beat(), this.heartbeatMs);
    const started = Date.now();
    try {
      log.info({ stage: 'start' }, 'ingest job claimed');
      const stats = await handler.run(job, async (p) => {
        last = p;
        if (this.drainExpired) throw new Abandon('stopping');
        await beat();
        if (lease.lost) throw new Abandon('lease_lost');
      });
      // A heartbeat failed after the last progress step: the job is someone else's now.
      if (lease.lost) throw new Abandon('lease_lost');
      // Before completing: should the process die in between, the job runs again (and may be dead-lettered again).
      await this.deps.ops?.deadLetters?.removeFor({ jobId: job.id, manualId: job.manualId });
      await queue.complete(job.id, { ...stats, total_ms: Date.now() - started });
      log.info({ stats, ms: Date.now() - started }, 'ingest job completed');
    } catch (e) {
      // Whatever went wrong, a job whose lease is gone belongs to another worker: touch nothing.
      await this.onError(job, lease.lost ? new Abandon('lease_lost') : e, log);
    } finally {
      clearInterval(timer);
      this.current = null;
    }
  }

  private async onError(job: Job, e: unknown, log: Logger): Promise<void> {
    const { queue, handler } = this.deps;
    if (e instanceof Abandon) {
      // Lease lost: another worker owns the job now, touch nothing. Stopping: hand it back untouched.
      if (e.why === 'stopping') await queue.release(job.id, this.workerId, { refundAttempt: true });
      log.warn({ why: e.why }, 'ingest job abandoned');
      return;
    }
    const code = failureCode(e);
    const message = e instanceof Error ? e.message : String(e);
    if (handler.isPermanent(e) || job.attempts >= this.maxAttempts) {
      await this.giveUp(job, code, message, log);
      return;
    }
    const delayMs = Math.max(0, Math.round(this.retryDelay(job.attempts)));
    log.warn({ err: e, retry_in_ms: delayMs }, 'ingest job will be retried');
    await queue.release(job.id, this.workerId, { delayMs, failed: true });
  }

  /** The job failed for good: into the DLQ (when there is one), the manual failed, then recorded and announced. */
  private async giveUp(job: Job, errorType: string, message: string, log: Logger): Promise<void> {
    const { queue, handler, ops = {} } = this.deps;
    const reason = `${errorType}: ${message}`;
    const failure = { errorType, message, at: this.clock.now().toISOString() };
    log.warn({ reason, attempts: job.attempts }, 'ingest job failed');
    const letter = await keepDeadLetter(ops, log, job, failure);
    await handler.failed(job, reason);
    await queue.fail(job.id, [reason]);
    await announceJobFailure(ops, log, job, failure, letter);
  }
}
