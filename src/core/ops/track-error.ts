import type { Clock } from '../ports/clock.js';
import type { ErrorOccurrence, ErrorRecord, ErrorTracker } from '../ports/error-tracker.js';
import type { Logger } from '../ports/logger.js';
import type { AlertEvent, Notifier } from '../ports/notifier.js';
import { errorFingerprint, normaliseMessage, severityOf } from './error-fingerprint.js';

export interface TrackErrorDeps {
  errors: ErrorTracker;
  /** Absent: record only (no AlertWebhookUrl). */
  notifier?: Notifier;
  logger: Logger;
}

/**
 * Records one failure and, when it is high or critical, raises an alert (the notifier deduplicates
 * per fingerprint). Never throws: tracking must not turn one failure into two. A store that fails
 * still lets the alert out, with the fingerprint computed here.
 */
export async function trackError(deps: TrackErrorDeps, occurrence: ErrorOccurrence): Promise<ErrorRecord | null> {
  let record: ErrorRecord | null = null;
  try {
    record = await deps.errors.record(occurrence);
  } catch (e) {
    deps.logger.warn({ err: e }, 'error tracking failed');
  }
  const severity = record?.severity ?? occurrence.severity ?? severityOf(occurrence.errorType, occurrence.status);
  if (deps.notifier && severity !== 'medium') {
    const message = record?.message ?? normaliseMessage(occurrence.message);
    try {
      deps.notifier.notify({
        kind: 'error',
        severity,
        fingerprint: record?.fingerprint ?? errorFingerprint(occurrence.errorType, message, occurrence.where),
        title: `${severity.toUpperCase()}: ${occurrence.errorType} in ${occurrence.where}`,
        text: message,
        fields: {
          error_type: occurrence.errorType,
          where: occurrence.where,
          status: occurrence.status ?? null,
          request_id: occurrence.requestId ?? null,
          count: record?.count ?? null,
          first_seen: record?.first_seen ?? null,
        },
      } satisfies AlertEvent);
    } catch (e) {
      deps.logger.warn({ err: e }, 'alert failed');
    }
  }
  return record;
}

/**
 * For the HTTP error handler: records after the response has gone (next turn of the event loop), so a
 * slow or broken store neither delays nor fails the answer.
 */
export function deferredErrorReporter(deps: TrackErrorDeps): (occurrence: ErrorOccurrence) => void {
  return (occurrence) => {
    setImmediate(() => void trackError(deps, occurrence));
  };
}


const DAY_MS = 86_400_000;

/** Deletes error records last seen more than `retentionDays` ago (ErrorRetentionDays). */
export async function pruneErrorRecords(deps: { errors: ErrorTracker; clock: Clock; logger: Logger }, retentionDays: number): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - retentionDays * DAY_MS);
  const deleted = await deps.errors.prune(before);
  if (deleted > 0) deps.logger.info({ deleted, before: before.toISOString() }, 'error records pruned');
  return deleted;
}

/** Prunes now and then once a day; the timer does not keep the process alive. Returns a stop function. */
export function scheduleErrorPruning(deps: { errors: ErrorTracker; clock: Clock; logger: Logger }, retentionDays: number): () => void {
  const run = () => pruneErrorRecords(deps, retentionDays).catch((e: unknown) => deps.logger.warn({ err: e }, 'error record pruning failed'));
  void run();
  const timer = setInterval(run, DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
