import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { announceJobFailure } from '../../core/ingest/dead-letters.js';
import type { DeadLetterQueue } from '../../core/ports/dead-letter-queue.js';
import type { ErrorTracker } from '../../core/ports/error-tracker.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Notifier } from '../../core/ports/notifier.js';
import { parseDeadLetterMessage } from './sqs-dead-letter-sender.js';

export interface DeadLetterBatchDeps {
  /** Where letters are kept for operators (the error-tracking table on AWS). */
  deadLetters: DeadLetterQueue;
  errors?: ErrorTracker;
  notifier?: Notifier;
  logger: Logger;
}

/** The error type a message that is not a dead letter is tracked under. */
export const INVALID_DEAD_LETTER = 'invalid_dead_letter';

type Outcome = 'kept' | 'invalid' | 'retry';

async function processRecord(record: SQSRecord, deps: DeadLetterBatchDeps, log: Logger): Promise<Outcome> {
  const letter = parseDeadLetterMessage(record.body);
  if (letter instanceof Error) {
    // Redelivery cannot mend a malformed body: it is tracked (and alerted on: it is a bug) and consumed.
    log.error({ err: letter }, 'message on the dead-letter queue is not a dead letter: dropped');
    try {
      await deps.errors?.record({ errorType: INVALID_DEAD_LETTER, message: letter.message, where: 'job:dlq', requestId: record.messageId, severity: 'high' });
    } catch (e) {
      log.warn({ err: e }, 'could not record the invalid dead letter');
    }
    deps.notifier?.notify({
      kind: 'dlq',
      severity: 'high',
      fingerprint: `dlq:${INVALID_DEAD_LETTER}`,
      title: 'A message on the dead-letter queue is not a dead letter (dropped)',
      text: letter.message,
      fields: { message_id: record.messageId },
    });
    return 'invalid';
  }
  // Kept first: if the table refuses, nothing is recorded or announced and SQS redelivers this record
  // alone. add() is idempotent per job and manual, so a redelivery updates the same letter.
  let kept;
  try {
    kept = await deps.deadLetters.add(letter);
  } catch (e) {
    log.error({ err: e, job_id: letter.jobId }, 'could not keep the dead letter: SQS will deliver it again');
    return 'retry';
  }
  const job = { id: letter.jobId, kind: letter.kind, manualId: letter.manualId, ownerId: letter.ownerId, attempts: letter.attempts };
  await announceJobFailure({ errors: deps.errors, notifier: deps.notifier }, log, job, { errorType: letter.errorType, message: letter.error, at: letter.deadAt }, kept);
  log.info({ job_id: letter.jobId, dead_letter_id: kept.id, error_type: letter.errorType }, 'dead letter kept');
  return 'kept';
}

/**
 * The ErrorProcessor's work for one SQS batch from the dead-letter queue: each letter is kept in the
 * DeadLetterQueue port, recorded by the ErrorTracker and announced through the Notifier (the same
 * record and alert as the embedded worker's). Records whose letter could not be kept are reported in
 * `batchItemFailures` (the event source mapping needs `FunctionResponseTypes: [ReportBatchItemFailures]`)
 * so only they come back. The notifier is flushed before returning: a frozen Lambda sends nothing.
 */
export async function processDeadLetterBatch(event: SQSEvent, deps: DeadLetterBatchDeps): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  let kept = 0;
  let invalid = 0;
  for (const record of event.Records) {
    const log = deps.logger.child({ message_id: record.messageId, receive_count: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
    let outcome: Outcome;
    try {
      outcome = await processRecord(record, deps, log);
    } catch (e) {
      log.error({ err: e }, 'dead letter not processed');
      outcome = 'retry';
    }
    if (outcome === 'retry') batchItemFailures.push({ itemIdentifier: record.messageId });
    else if (outcome === 'kept') kept++;
    else invalid++;
  }
  await deps.notifier?.flush?.();
  deps.logger.info({ records: event.Records.length, kept, invalid, retried: batchItemFailures.length }, 'dead-letter batch processed');
  // Exactly the partial-batch response shape: Lambda reads `batchItemFailures` and nothing else.
  return { batchItemFailures };
}
