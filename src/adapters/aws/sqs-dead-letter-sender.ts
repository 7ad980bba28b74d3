import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { DeadLetter, DeadLetterQueue } from '../../core/ports/dead-letter-queue.js';

/** What travels on the queue: the letter the job failure would have kept (DeadLetterQueue.add's input). */
export type DeadLetterInput = Omit<DeadLetter, 'id' | 'retries'>;

export const DEAD_LETTER_MESSAGE_TYPE = 'manuel.dead_letter';
/** Long errors are cut here (as the SQLite DLQ keeps them), so a message stays far below SQS's 256 KiB. */
export const MAX_ERROR_CHARS = 2000;

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date');

const messageSchema = z.object({
  type: z.literal(DEAD_LETTER_MESSAGE_TYPE),
  version: z.literal(1),
  letter: z.object({
    jobId: z.string().min(1),
    kind: z.string().min(1),
    manualId: z.string().nullable(),
    ownerId: z.string().nullable(),
    errorType: z.string().min(1),
    error: z.string(),
    attempts: z.number().int().nonnegative(),
    createdAt: iso,
    firstFailedAt: iso,
    deadAt: iso,
  }),
});

/** The message body for a letter. */
export function deadLetterMessage(letter: DeadLetterInput): string {
  return JSON.stringify({ type: DEAD_LETTER_MESSAGE_TYPE, version: 1, letter: { ...letter, error: letter.error.slice(0, MAX_ERROR_CHARS) } });
}

/** The letter in a message body, or an Error saying what is wrong with it. */
export function parseDeadLetterMessage(body: string): DeadLetterInput | Error {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return new Error('the message body is not JSON');
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) return new Error(`not a dead letter: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
  return parsed.data.letter;
}

export interface SqsDeadLetterSenderOptions {
  client: SQSClient;
  /** The DLQ (DeadLetterQueue in the template, EnableAdvancedErrorHandling). */
  queueUrl: string;
}

/** Sends a job that failed for good to the dead-letter queue, for the ErrorProcessor function. */
export class SqsDeadLetterSender {
  constructor(private readonly opts: SqsDeadLetterSenderOptions) {}

  /** Returns the SQS message id. Throws when SQS refuses (the caller logs it: the job is failed anyway). */
  async send(letter: DeadLetterInput): Promise<string> {
    const out = await this.opts.client.send(
      new SendMessageCommand({
        QueueUrl: this.opts.queueUrl,
        MessageBody: deadLetterMessage(letter),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: DEAD_LETTER_MESSAGE_TYPE },
          kind: { DataType: 'String', StringValue: letter.kind },
          error_type: { DataType: 'String', StringValue: letter.errorType },
        },
      }),
    );
    return out.MessageId!;
  }
}

/**
 * The DeadLetterQueue the ingestion worker sees on AWS: a letter is *sent* to SQS (the ErrorProcessor
 * keeps it in the table, tracks the error and alerts), everything else (list, retry, drop, removal
 * when the job later succeeds, size) is the table's. `add` answers the letter as sent, with the SQS
 * message id as a provisional id and no retries: the kept letter (same job or manual) gets its own.
 * So the worker's ops on AWS are `{ deadLetters: this }` only; errors and alerts are the processor's,
 * or a failure would be counted and announced twice.
 */
export function sqsForwardingDeadLetters(sender: SqsDeadLetterSender, table: DeadLetterQueue): DeadLetterQueue {
  return {
    add: async (letter) => ({ ...letter, id: `sqs:${await sender.send(letter)}`, retries: 0 }),
    list: (opts) => table.list(opts),
    get: (id) => table.get(id),
    remove: (id) => table.remove(id),
    removeFor: (subject) => table.removeFor(subject),
    markRetried: (id) => table.markRetried(id),
    size: () => table.size(),
  };
}
