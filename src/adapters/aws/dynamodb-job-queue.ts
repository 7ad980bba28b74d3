/**
 * The ingestion queue in the ingestionJobs table (docs/decisions/0019). Two kinds of item:
 *   job   pk JOB#<id>          sk JOB       every Job field + leaseOwner, leaseUntil, runAfter (epoch ms);
 *                                           while queued or processing also gsi1 RUNNABLE / <runnableAt>#<id>
 *   link  pk MANUAL#<manualId> sk JOB#<id>  (forManual, deleteForManual)
 * `runnableAt` (15-digit epoch ms) is when the job may next be claimed: min(createdAt, now) when
 * enqueued, the end of the delay when released, the first ms after its lease while processing; so a
 * job whose worker died comes back through the same index entry, with no sweeper. A claim reads the
 * first candidates of RUNNABLE with runnableAt <= now (oldest runnable first) and takes one with a
 * conditional UpdateItem whose condition re-checks, on the item itself, that it is still runnable:
 * two workers never both win, and a stale index entry only costs a failed write.
 * Costs (items < 1 KB): claim = 1 Query (0.5 RRU) + 1 WRU, plus 1 WRU per candidate lost to another
 * worker; heartbeat, complete, fail, release, requeue = 1 WRU each (one conditional UpdateItem);
 * get = 1 RRU; enqueue = 2 WRU; forManual = 1 RRU + 1 RRU per job; deleteForManual adds 2 WRU per job.
 * RUNNABLE is one GSI partition: fine for uploads (far below its ~1,000 writes/s), not for a firehose.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { errors } from '../../core/errors.js';
import type { Job } from '../../core/model/types.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { JobQueue } from '../../core/ports/job-queue.js';
import { batchDelete, batchGet, conditionFailed, queryAll, type Item, type ItemKey } from './dynamodb-items.js';

export const RUNNABLE = 'RUNNABLE';
const CANDIDATES = 10;
const MAX_ROUNDS = 8;

const jobKey = (id: string): ItemKey => ({ pk: `JOB#${id}`, sk: 'JOB' });
const linkKey = (manualId: string, id: string): ItemKey => ({ pk: `MANUAL#${manualId}`, sk: `JOB#${id}` });
/** Sort key of the RUNNABLE index: lexical order = time order. */
export const runnableKey = (ms: number, id: string) => `${String(Math.max(0, ms)).padStart(15, '0')}#${id}`;

const NULLABLE = ['startedAt', 'finishedAt', 'firstFailedAt'] as const;

export function toJob(item: Item): Job {
  return {
    id: item.id as string,
    kind: item.kind as Job['kind'],
    manualId: item.manualId as string,
    ownerId: item.ownerId as string,
    status: item.status as Job['status'],
    stage: item.stage as string,
    attempts: Number(item.attempts ?? 0),
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    startedAt: (item.startedAt as string | undefined) ?? null,
    finishedAt: (item.finishedAt as string | undefined) ?? null,
    statistics: (item.statistics as Record<string, number> | undefined) ?? {},
    failureReasons: (item.failureReasons as string[] | undefined) ?? [],
    firstFailedAt: (item.firstFailedAt as string | undefined) ?? null,
  };
}

const names = { '#s': 'status' };

/**
 * The oldest candidate first; if it is lost, the others in random order: parallel claimers that read
 * the same candidates then spread over them instead of all losing the same race ten times.
 */
function contendedOrder<T>(items: T[]): T[] {
  const rest = items.slice(1);
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  return [items[0]!, ...rest];
}

export class DynamoDbJobQueue implements JobQueue {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async enqueue(job: Job): Promise<void> {
    const now = this.clock.now().getTime();
    const runAfter = Math.min(Date.parse(job.createdAt) || now, now);
    // Absent rather than null: `if_not_exists` (claim, release) treats a stored NULL as a value.
    const item: Item = { ...jobKey(job.id), ...job, status: 'queued', runAfter, gsi1pk: RUNNABLE, gsi1sk: runnableKey(runAfter, job.id) };
    for (const f of NULLABLE) delete item[f];
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      if (conditionFailed(e)) throw errors.conflict(`Job ${job.id} already exists`);
      throw e;
    }
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...linkKey(job.manualId, job.id), createdAt: job.createdAt } }));
  }

  async claim(workerId: string, leaseMs: number): Promise<Job | null> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = this.clock.now();
      const ms = now.getTime();
      const candidates = await queryAll(
        this.doc,
        {
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :r AND gsi1sk < :upto',
          ExpressionAttributeValues: { ':r': RUNNABLE, ':upto': runnableKey(ms + 1, '') },
          Limit: CANDIDATES,
        },
        CANDIDATES,
      );
      if (candidates.length === 0) return null;
      for (const c of contendedOrder(candidates)) {
        const id = c.id as string;
        const won = await this.updateIf(
          id,
          '(#s = :queued AND runAfter <= :now) OR (#s = :processing AND leaseUntil < :now)',
          'SET #s = :processing, leaseOwner = :w, leaseUntil = :until, attempts = attempts + :one, startedAt = if_not_exists(startedAt, :iso), updatedAt = :iso, gsi1sk = :next',
          {
            ':queued': 'queued',
            ':processing': 'processing',
            ':now': ms,
            ':w': workerId,
            ':until': ms + leaseMs,
            ':one': 1,
            ':iso': now.toISOString(),
            ':next': runnableKey(ms + leaseMs + 1, id),
          },
          'ALL_NEW',
        );
        if (won) return toJob(won);
        // else another worker won it (or the index entry was stale): next one
      }
    }
    return null;
  }

  async heartbeat(jobId: string, workerId: string, leaseMs: number, progress?: Partial<Pick<Job, 'stage' | 'statistics'>>): Promise<void> {
    const now = this.clock.now();
    const sets = ['leaseUntil = :until', 'updatedAt = :iso', 'gsi1sk = :next'];
    const values: Item = { ':processing': 'processing', ':w': workerId, ':until': now.getTime() + leaseMs, ':iso': now.toISOString(), ':next': runnableKey(now.getTime() + leaseMs + 1, jobId) };
    if (progress?.stage !== undefined) (sets.push('stage = :stage'), (values[':stage'] = progress.stage));
    if (progress?.statistics !== undefined) (sets.push('statistics = :stats'), (values[':stats'] = progress.statistics));
    const held = await this.updateIf(jobId, '#s = :processing AND leaseOwner = :w', `SET ${sets.join(', ')}`, values);
    // Another worker took the job after this one's lease ran out: tell the caller to stop working on it.
    if (!held) throw errors.conflict(`Lease on job ${jobId} was lost`);
  }

  async complete(jobId: string, statistics: Record<string, number>): Promise<void> {
    await this.finish(jobId, 'SET #s = :completed, stage = :done, statistics = :stats', { ':completed': 'completed', ':done': 'done', ':stats': statistics });
  }

  async fail(jobId: string, reasons: string[]): Promise<void> {
    await this.finish(jobId, 'SET #s = :failed, failureReasons = :reasons', { ':failed': 'failed', ':reasons': reasons });
  }

  /** Final states leave the RUNNABLE index: never claimed again. */
  private async finish(jobId: string, set: string, values: Item): Promise<void> {
    const iso = this.clock.now().toISOString();
    // A failed condition: no such job (deleted with its manual), nothing to record.
    await this.updateIf(jobId, 'attribute_exists(pk)', `${set}, finishedAt = :iso, updatedAt = :iso REMOVE leaseOwner, leaseUntil, gsi1pk, gsi1sk`, { ...values, ':iso': iso });
  }

  async release(jobId: string, workerId: string, opts: { delayMs?: number; refundAttempt?: boolean; failed?: boolean } = {}): Promise<void> {
    const now = this.clock.now();
    const runAfter = now.getTime() + (opts.delayMs ?? 0);
    const sets = ['#s = :queued', 'runAfter = :after', 'attempts = attempts - :refund', 'updatedAt = :iso', 'gsi1pk = :r', 'gsi1sk = :next'];
    if (opts.failed) sets.push('firstFailedAt = if_not_exists(firstFailedAt, :iso)');
    // attempts >= 1 while processing (the claim counted it), so a refund never goes below 0.
    // A failed condition: the lease is gone, no-op.
    await this.updateIf(jobId, '#s = :processing AND leaseOwner = :w', `SET ${sets.join(', ')} REMOVE leaseOwner, leaseUntil`, {
      ':queued': 'queued',
      ':processing': 'processing',
      ':w': workerId,
      ':after': runAfter,
      ':refund': opts.refundAttempt ? 1 : 0,
      ':iso': now.toISOString(),
      ':r': RUNNABLE,
      ':next': runnableKey(runAfter, jobId),
    });
  }

  async requeue(jobId: string): Promise<Job | null> {
    const now = this.clock.now();
    const requeued = await this.updateIf(
      jobId,
      '#s = :failed',
      'SET #s = :queued, stage = :queued, attempts = :zero, runAfter = :now, failureReasons = :none, updatedAt = :iso, gsi1pk = :r, gsi1sk = :next REMOVE finishedAt, firstFailedAt, leaseOwner, leaseUntil',
      {
        ':failed': 'failed',
        ':queued': 'queued',
        ':zero': 0,
        ':now': now.getTime(),
        ':none': [],
        ':iso': now.toISOString(),
        ':r': RUNNABLE,
        ':next': runnableKey(now.getTime(), jobId),
      },
      'ALL_NEW',
    );
    return requeued ? toJob(requeued) : null; // null: not failed, or not there
  }

  async get(jobId: string, visibleOwners: readonly string[]): Promise<Job | null> {
    if (visibleOwners.length === 0) return null;
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: jobKey(jobId), ConsistentRead: true }));
    return r.Item && visibleOwners.includes(r.Item.ownerId as string) ? toJob(r.Item) : null;
  }

  async forManual(manualId: string): Promise<Job[]> {
    const links = await this.links(manualId);
    const items = await batchGet(this.doc, this.table, links.map((l) => jobKey((l.sk as string).slice('JOB#'.length))));
    return items.map(toJob).sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  }

  async deleteForManual(manualId: string): Promise<number> {
    const links = await this.links(manualId);
    const ids = links.map((l) => (l.sk as string).slice('JOB#'.length));
    const existing = await batchGet(this.doc, this.table, ids.map(jobKey));
    await batchDelete(this.doc, this.table, [...ids.map(jobKey), ...ids.map((id) => linkKey(manualId, id))]);
    return existing.length;
  }

  /**
   * One conditional UpdateItem on a job item (the lease and state checks are its condition): the
   * item as written (`{}` unless ALL_NEW is asked for), or null when the condition failed. Any
   * other error is thrown.
   */
  private async updateIf(jobId: string, condition: string, update: string, values: Item, returnValues?: 'ALL_NEW'): Promise<Item | null> {
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: jobKey(jobId),
          ConditionExpression: condition,
          UpdateExpression: update,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(returnValues ? { ReturnValues: returnValues } : {}),
        }),
      );
      return r.Attributes ?? {};
    } catch (e) {
      if (conditionFailed(e)) return null;
      throw e;
    }
  }

  private links(manualId: string): Promise<Item[]> {
    return queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :j)',
      ExpressionAttributeValues: { ':pk': `MANUAL#${manualId}`, ':j': 'JOB#' },
      ConsistentRead: true,
    });
  }
}
