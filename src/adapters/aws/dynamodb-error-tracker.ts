import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { errorFingerprint, normaliseMessage, severityOf } from '../../core/ops/error-fingerprint.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { ErrorOccurrence, ErrorRecord, ErrorTracker } from '../../core/ports/error-tracker.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Severity } from '../../core/ports/notifier.js';
import { daysMs, ttlAt } from './dynamodb-expiry.js';
import { conditionFailed, queryAll } from './dynamodb-items.js';
import { KEY } from './dynamodb-tables.js';

const WORST_FIRST: Severity[] = ['critical', 'high', 'medium'];
const INDEX_PK = 'ERRORS';

/**
 * Tracked errors in the `errorTracking` table, one item per fingerprint: `ERR#<fingerprint>` / `ERR`.
 * An occurrence is ONE conditional UpdateItem in the usual case (it is the newest of its fingerprint):
 * `ADD count 1, severities {s}`, `SET last_seen, sample_request_id, first_seen = if_not_exists(...)`,
 * on condition `attribute_not_exists(pk) OR last_seen <= :at`. An older occurrence arriving late
 * fails that condition and takes a second update that leaves last_seen alone (and a third, conditional,
 * only if it is older than first_seen). The worst severity wins without a read: the item keeps the set
 * of severities seen and the worst one is picked when read (and filtered on in `list`).
 * `list` and `prune` use gsi1: `ERRORS` / `<last_seen>#<fingerprint>` (newest first; `since` and
 * `before` are key conditions). Retention: `expires_at` = time of recording + ErrorRetentionDays.
 */
export class DynamoDbErrorTracker implements ErrorTracker {
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly retentionMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    opts: { clock?: Clock; logger?: Logger; retentionDays?: number } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    this.retentionMs = daysMs(opts.retentionDays ?? 30);
  }

  async record(o: ErrorOccurrence): Promise<ErrorRecord | null> {
    const message = normaliseMessage(o.message);
    const fingerprint = errorFingerprint(o.errorType, message, o.where);
    const at = (o.at ?? this.clock.now()).toISOString();
    const key = { pk: `ERR#${fingerprint}`, sk: 'ERR' };
    const common = {
      ':one': 1,
      ':sev': new Set([o.severity ?? severityOf(o.errorType, o.status)]),
      ':at': at,
      ':ttl': ttlAt(this.clock.now().getTime() + this.retentionMs),
    };
    try {
      try {
        const newest = await this.update(
          key,
          `SET error_type = :t, message = :m, #w = :w, last_seen = :at, first_seen = if_not_exists(first_seen, :at), ` +
            `sample_request_id = ${o.requestId ? ':rid' : 'if_not_exists(sample_request_id, :rid)'}, ` +
            `${KEY.gsi1pk} = :g, ${KEY.gsi1sk} = :gs, ${KEY.ttl} = :ttl ADD #c :one, severities :sev`,
          'attribute_not_exists(pk) OR last_seen <= :at',
          { ...common, ':t': o.errorType, ':m': message, ':w': o.where, ':rid': o.requestId ?? null, ':g': INDEX_PK, ':gs': `${at}#${fingerprint}` },
        );
        return toRecord(newest);
      } catch (e) {
        if (!conditionFailed(e)) throw e;
      }
      // Older than the newest occurrence: count it, keep last_seen and its sample.
      const late = await this.update(key, `SET first_seen = if_not_exists(first_seen, :at), ${KEY.ttl} = :ttl ADD #c :one, severities :sev`, undefined, common);
      if ((late.first_seen as string) <= at) return toRecord(late);
      try {
        return toRecord(await this.update(key, 'SET first_seen = :at', 'first_seen > :at', { ':at': at }));
      } catch (e) {
        if (!conditionFailed(e)) throw e;
        const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
        return toRecord(r.Item!);
      }
    } catch (e) {
      this.logger?.warn({ err: e }, 'error record not stored');
      return null;
    }
  }

  private async update(key: Record<string, string>, expression: string, condition: string | undefined, values: Record<string, unknown>): Promise<Record<string, unknown>> {
    const names: Record<string, string> = {};
    if (expression.includes('#w')) names['#w'] = 'where';
    if (expression.includes('#c')) names['#c'] = 'count';
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return r.Attributes!;
  }

  async list(opts: { severity?: Severity; limit?: number; since?: Date } = {}): Promise<ErrorRecord[]> {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 1000));
    const filters = [`(attribute_not_exists(${KEY.ttl}) OR ${KEY.ttl} > :now)`];
    const values: Record<string, unknown> = { ':g': INDEX_PK, ':now': Math.floor(this.clock.now().getTime() / 1000) };
    if (opts.severity) {
      // The record's severity is the worst in its set: it has this one and none worse.
      const worse = WORST_FIRST.slice(0, WORST_FIRST.indexOf(opts.severity));
      filters.push('contains(severities, :sev)', ...worse.map((s) => `NOT contains(severities, :${s})`));
      values[':sev'] = opts.severity;
      for (const s of worse) values[`:${s}`] = s;
    }
    if (opts.since) values[':since'] = opts.since.toISOString();
    const items = await queryAll(this.doc, this.index(opts.since ? '#s >= :since' : undefined, values, filters.join(' AND '), false), limit);
    return items.slice(0, limit).map(toRecord);
  }

  async prune(before: Date): Promise<number> {
    const cut = before.toISOString();
    let n = 0;
    for (const item of await queryAll(this.doc, this.index('#s < :before', { ':g': INDEX_PK, ':before': cut }, undefined, true))) {
      try {
        await this.doc.send(
          new DeleteCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk }, ConditionExpression: 'last_seen < :before', ExpressionAttributeValues: { ':before': cut } }),
        );
        n++;
      } catch (e) {
        if (!conditionFailed(e)) throw e; // seen again meanwhile: kept
      }
    }
    return n;
  }

  /** A Query of gsi1 `ERRORS`, newest first unless `ascending`. */
  private index(sortCondition: string | undefined, values: Record<string, unknown>, filter: string | undefined, ascending: boolean): QueryCommandInput {
    return {
      TableName: this.table,
      IndexName: KEY.gsi1,
      KeyConditionExpression: `#p = :g${sortCondition ? ` AND ${sortCondition}` : ''}`,
      ExpressionAttributeNames: { '#p': KEY.gsi1pk, ...(sortCondition ? { '#s': KEY.gsi1sk } : {}) },
      ExpressionAttributeValues: values,
      FilterExpression: filter,
      ScanIndexForward: ascending,
    };
  }
}

const toRecord = (i: Record<string, unknown>): ErrorRecord => {
  const seen = i.severities as Set<string>;
  return {
    fingerprint: (i.pk as string).slice('ERR#'.length),
    error_type: i.error_type as string,
    message: i.message as string,
    where: i.where as string,
    severity: WORST_FIRST.find((s) => seen.has(s)) ?? 'medium',
    count: i.count as number,
    first_seen: i.first_seen as string,
    last_seen: i.last_seen as string,
    sample_request_id: (i.sample_request_id as string | null | undefined) ?? null,
  };
};
