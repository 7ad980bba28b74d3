import { errors } from '../errors.js';
import type { Job, ManualStatus } from '../model/types.js';
import type { DeadLetter, DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { ErrorTracker } from '../ports/error-tracker.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import type { Notifier } from '../ports/notifier.js';

/** The operations services a failed job reports to (each absent when its feature is off). */
export interface JobFailureOps {
  deadLetters?: DeadLetterQueue;
  notifier?: Notifier;
  errors?: ErrorTracker;
}

export interface JobFailure {
  errorType: string;
  message: string;
  /** When the job ended for good (ISO 8601). */
  at: string;
}

/**
 * A job given up for good, step 1 (before the job is marked failed): kept in the DLQ, one letter per
 * job or manual. If the process dies right after, the job's lease runs out, it comes back exhausted
 * and updates the same letter. Never throws: the job is failed by the caller whatever happens here.
 */
export async function keepDeadLetter(ops: JobFailureOps, logger: Logger, job: Job, failure: JobFailure): Promise<DeadLetter | null> {
  if (!ops.deadLetters) return null;
  try {
    return await ops.deadLetters.add({
      jobId: job.id,
      kind: job.kind,
      manualId: job.manualId,
      ownerId: job.ownerId,
      errorType: failure.errorType,
      error: failure.message,
      attempts: job.attempts,
      createdAt: job.createdAt,
      firstFailedAt: job.firstFailedAt ?? failure.at,
      deadAt: failure.at,
    });
  } catch (e) {
    logger.error({ err: e, job_id: job.id }, 'could not keep the failed job in the dead-letter queue');
    return null;
  }
}

/** What an announcement needs of the failed job (the aws ErrorProcessor has only the dead letter's fields). */
export type FailedJobRef = Pick<Job, 'id' | 'attempts'> & { kind: string; manualId: string | null; ownerId: string | null };

/**
 * Step 2 (the job is failed now): recorded by the error tracker and, when it reached the DLQ, one
 * alert. Never throws.
 */
export async function announceJobFailure(ops: JobFailureOps, logger: Logger, job: FailedJobRef, failure: JobFailure, letter: DeadLetter | null): Promise<void> {
  const where = `job:${job.kind}`;
  try {
    await ops.errors?.record({ errorType: failure.errorType, message: failure.message, where, requestId: job.id, at: new Date(failure.at) });
  } catch (e) {
    logger.error({ err: e, job_id: job.id }, 'could not record the failed job');
  }
  if (!letter) return;
  ops.notifier?.notify({
    kind: 'dlq',
    severity: 'high',
    // One alert per kind of failure (the notifier counts the ones it suppresses); the DLQ lists every job.
    fingerprint: `dlq:${where}:${failure.errorType}`,
    title: `Dead letter: ${job.kind} job failed after ${job.attempts} attempt${job.attempts === 1 ? '' : 's'} (${failure.errorType})`,
    text: failure.message,
    fields: {
      dead_letter_id: letter.id,
      job_id: job.id,
      manual_id: job.manualId,
      owner_id: job.ownerId,
      error_type: failure.errorType,
      attempts: job.attempts,
      retries: letter.retries,
    },
  });
}

export interface DeadLetterView extends DeadLetter {
  /** The manual's name and status now (null: the manual was deleted). */
  manualName: string | null;
  manualStatus: ManualStatus | null;
}

interface AdminDeps {
  jobs: JobQueue;
  manuals: ManualRepo;
  ops: { deadLetters?: DeadLetterQueue };
}

function queueOf(deps: AdminDeps): DeadLetterQueue {
  if (!deps.ops.deadLetters) throw errors.unavailable('The dead-letter queue is off (EnableAdvancedErrorHandling)');
  return deps.ops.deadLetters;
}

async function letterOf(dlq: DeadLetterQueue, id: string): Promise<DeadLetter> {
  const letter = await dlq.get(id);
  if (!letter) throw errors.notFound('Dead letter');
  return letter;
}

async function withManual(deps: AdminDeps, letter: DeadLetter): Promise<DeadLetterView> {
  const manual = letter.manualId && letter.ownerId ? await deps.manuals.get(letter.manualId, [letter.ownerId]) : null;
  return { ...letter, manualName: manual?.name ?? null, manualStatus: manual?.status ?? null };
}

/** Dead letters, newest first, with their manual, and how many there are in all. */
export async function listDeadLetters(deps: AdminDeps, opts: { limit?: number } = {}): Promise<{ letters: DeadLetterView[]; size: number }> {
  const dlq = queueOf(deps);
  const [letters, size] = await Promise.all([dlq.list(opts), dlq.size()]);
  return { letters: await Promise.all(letters.map((l) => withManual(deps, l))), size };
}

/**
 * Runs a dead-lettered job again, from its first attempt. The letter stays (its retries counted)
 * until the job succeeds; if it fails for good again, the same letter is updated.
 */
export async function retryDeadLetter(deps: AdminDeps, id: string): Promise<DeadLetterView> {
  const dlq = queueOf(deps);
  const letter = await letterOf(dlq, id);
  const manual = letter.manualId && letter.ownerId ? await deps.manuals.get(letter.manualId, [letter.ownerId]) : null;
  if (letter.manualId && !manual) throw errors.conflict('The manual of this dead letter was deleted: drop the letter instead');
  const job = await deps.jobs.get(letter.jobId, letter.ownerId ? [letter.ownerId] : []);
  if (job?.status !== 'failed') {
    throw errors.conflict(job ? `The job is ${job.status}, not failed: it is being retried already` : 'The job of this dead letter is gone: drop the letter instead');
  }
  // Manual first: the worker wakes on the requeue and may mark it processing at once.
  if (manual) await deps.manuals.update(manual.id, { status: 'queued', error: null });
  if (!(await deps.jobs.requeue(job.id))) {
    if (manual) await deps.manuals.update(manual.id, { status: manual.status, error: manual.error });
    throw errors.conflict('The job is being retried already');
  }
  await dlq.markRetried(letter.id);
  return withManual(deps, { ...letter, retries: letter.retries + 1 });
}

/**
 * Drops a dead letter: the operator gives up on the job. The manual stays `failed` with its reason
 * (its owner sees why and may delete it or upload it again); nothing of the user's is deleted.
 */
export async function dropDeadLetter(deps: AdminDeps, id: string): Promise<DeadLetterView> {
  const dlq = queueOf(deps);
  const letter = await letterOf(dlq, id);
  if (!(await dlq.remove(letter.id))) throw errors.notFound('Dead letter');
  return withManual(deps, letter);
}
