import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeadLetter, DeadLetterQueue } from '../../core/ports/dead-letter-queue.js';
import { conditionFailed, queryAll, queryCount } from './dynamodb-items.js';

/** Longest error text kept (as the SQLite queue: the letter is for a person). */
const MAX_ERROR = 2000;
const PK = 'DLQ';
/** Every letter of the queue: one strongly consistent Query of its partition. */
const LETTERS = (table: string) => ({
  TableName: table,
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :l)',
  ExpressionAttributeValues: { ':pk': PK, ':l': 'LETTER#' },
  ConsistentRead: true,
});
const FIELDS = ['jobId', 'kind', 'manualId', 'ownerId', 'errorType', 'error', 'attempts', 'createdAt', 'deadAt'] as const;

/**
 * The queryable dead-letter records of the aws shape (the admin API lists, retries and drops them; the
 * SQS queue that carries failed jobs to the ErrorProcessor is a separate thing). All in ONE partition
 * `DLQ` of the `errorTracking` table, so every read is a strongly consistent Query of the base table:
 *   - `LETTER#<id>`: the letter;
 *   - `JOB#<jobId>` and `MANUAL#<manualId>`: guards naming the letter of a job and of a manual, taken
 *     with `attribute_not_exists(pk) OR id = :id`: the "one letter per job and per manual" rule
 *     without transactions (two processes failing the same manual agree on one letter id).
 * The letter itself is written with one UpdateItem that keeps `retries` and the earliest
 * `firstFailedAt` (`if_not_exists`, plus a conditional fix-up when an earlier failure arrives late).
 * One partition is fine for a dead-letter queue: a few letters a day, listed by an operator; a list is
 * one Query of the whole queue (sorted here by deadAt).
 */
export class DynamoDbDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async add(input: Omit<DeadLetter, 'id' | 'retries'>): Promise<DeadLetter> {
    const letter = { ...input, error: input.error.slice(0, MAX_ERROR) };
    for (let attempt = 0; ; attempt++) {
      const [byJob, byManual] = await Promise.all([this.guard('JOB', letter.jobId), letter.manualId ? this.guard('MANUAL', letter.manualId) : null]);
      const id = byJob ?? byManual ?? randomUUID();
      const fresh = !byJob && !byManual;
      const jobTaken = byJob === id || (await this.takeGuard('JOB', letter.jobId, id));
      if (fresh && !jobTaken) continue; // another process created this job's letter first: update that one
      if (letter.manualId && byManual !== id && !(await this.takeGuard('MANUAL', letter.manualId, id)) && fresh) {
        await this.dropGuard('JOB', letter.jobId, id);
        if (attempt < 5) continue; // the manual got a letter meanwhile: fold into it
      }
      return this.write(id, letter);
    }
  }

  private async write(id: string, letter: Omit<DeadLetter, 'id' | 'retries'>): Promise<DeadLetter> {
    const values: Record<string, unknown> = { ':zero': 0, ':f': letter.firstFailedAt };
    const names: Record<string, string> = {};
    for (const f of FIELDS) {
      names[`#${f}`] = f;
      values[`:${f}`] = letter[f];
    }
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: PK, sk: `LETTER#${id}` },
        UpdateExpression: `SET #id = :id, ${FIELDS.map((f) => `#${f} = :${f}`).join(', ')}, retries = if_not_exists(retries, :zero), firstFailedAt = if_not_exists(firstFailedAt, :f)`,
        ExpressionAttributeNames: { ...names, '#id': 'id' },
        ExpressionAttributeValues: { ...values, ':id': id },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const old = r.Attributes as DeadLetter | undefined;
    let firstFailedAt = old?.firstFailedAt ?? letter.firstFailedAt;
    if (old && old.firstFailedAt > letter.firstFailedAt) {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: PK, sk: `LETTER#${id}` },
            UpdateExpression: 'SET firstFailedAt = :f',
            ConditionExpression: 'firstFailedAt > :f',
            ExpressionAttributeValues: { ':f': letter.firstFailedAt },
          }),
        )
        .catch((e) => {
          if (!conditionFailed(e)) throw e;
        });
      firstFailedAt = letter.firstFailedAt;
    }
    // A letter taken over by another job or manual no longer answers for the old ones.
    if (old && old.jobId !== letter.jobId) await this.dropGuard('JOB', old.jobId, id);
    if (old?.manualId && old.manualId !== letter.manualId) await this.dropGuard('MANUAL', old.manualId, id);
    return { ...letter, id, retries: old?.retries ?? 0, firstFailedAt };
  }

  async list(opts: { limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 1000));
    const letters = (await queryAll(this.doc, LETTERS(this.table))).map(toLetter);
    return letters.sort((a, b) => (a.deadAt === b.deadAt ? b.id.localeCompare(a.id) : a.deadAt < b.deadAt ? 1 : -1)).slice(0, limit);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: PK, sk: `LETTER#${id}` }, ConsistentRead: true }));
    return r.Item ? toLetter(r.Item) : null;
  }

  async remove(id: string): Promise<boolean> {
    const r = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: `LETTER#${id}` }, ReturnValues: 'ALL_OLD' }));
    const old = r.Attributes as DeadLetter | undefined;
    if (!old) return false;
    await this.dropGuard('JOB', old.jobId, id);
    if (old.manualId) await this.dropGuard('MANUAL', old.manualId, id);
    return true;
  }

  async removeFor(subject: { jobId?: string; manualId?: string }): Promise<number> {
    const ids = await Promise.all([subject.jobId ? this.guard('JOB', subject.jobId) : null, subject.manualId ? this.guard('MANUAL', subject.manualId) : null]);
    let n = 0;
    for (const id of new Set(ids.filter((i): i is string => !!i))) if (await this.remove(id)) n++;
    return n;
  }

  async markRetried(id: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: PK, sk: `LETTER#${id}` },
          UpdateExpression: 'ADD retries :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e; // unknown id: nothing to count
    }
  }

  async size(): Promise<number> {
    return queryCount(this.doc, LETTERS(this.table));
  }

  private async guard(kind: 'JOB' | 'MANUAL', subject: string): Promise<string | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: PK, sk: `${kind}#${subject}` }, ConsistentRead: true }));
    return (r.Item?.id as string | undefined) ?? null;
  }

  /** Points the guard at `id` unless it names another letter; true when it now names `id`. */
  private async takeGuard(kind: 'JOB' | 'MANUAL', subject: string, id: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: PK, sk: `${kind}#${subject}`, id },
          ConditionExpression: 'attribute_not_exists(pk) OR id = :id',
          ExpressionAttributeValues: { ':id': id },
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  private async dropGuard(kind: 'JOB' | 'MANUAL', subject: string, id: string): Promise<void> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: PK, sk: `${kind}#${subject}` }, ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': id } }));
    } catch (e) {
      if (!conditionFailed(e)) throw e; // names another letter now: leave it
    }
  }
}

const toLetter = (i: Record<string, unknown>): DeadLetter => ({
  id: i.id as string,
  jobId: i.jobId as string,
  kind: i.kind as string,
  manualId: (i.manualId as string | null | undefined) ?? null,
  ownerId: (i.ownerId as string | null | undefined) ?? null,
  errorType: i.errorType as string,
  error: i.error as string,
  attempts: i.attempts as number,
  createdAt: i.createdAt as string,
  firstFailedAt: i.firstFailedAt as string,
  deadAt: i.deadAt as string,
  retries: i.retries as number,
});
