import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RateLimiterDynamo, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateCounter, RateLimitPolicy, RateLimitStore } from '../../core/ports/rate-limit-store.js';
import { LimiterRateCounter, limiterOptions } from '../embedded/memory-rate-limit-store.js';
import { isExpired, ttlAt } from './dynamodb-expiry.js';
import { conditionFailed } from './dynamodb-items.js';

/** What one window item holds: consumed points and when the window (or block) ends, epoch ms. */
interface WindowItem {
  points: number;
  endMs: number;
}

/**
 * rate-limiter-flexible's RateLimiterDynamo, storing in our generic table. The library keeps the
 * policy logic (blocks, rewards, in-memory block, RateLimiterRes); its own storage does not fit:
 * a table keyed on `key` alone with TTL attribute `expire` that it creates itself, and a consume that
 * first tries to open a window (refused in the common case: two writes per hit). Here the storage
 * methods are replaced: item `RL#<policy>:<key>` / `RL` with `points`, `expires_ms` (window end, the
 * conditions use it) and `expires_at` (TTL). A consume is one conditional UpdateItem while the window
 * is open (`points + n` if `expires_ms > now`), and a second one only to open a window (`points = n`
 * if absent or expired); two processes racing to open the same window cannot both win, the loser
 * adds to the winner's window.
 */
class DynamoTableLimiter extends RateLimiterDynamo {
  constructor(
    opts: ConstructorParameters<typeof RateLimiterDynamo>[0],
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {
    // tableCreated/ttlSet: the library must not create a table or change its TTL (infra owns both).
    super({ ...opts, tableCreated: true, ttlSet: true } as ConstructorParameters<typeof RateLimiterDynamo>[0]);
  }

  private key(rlKey: string) {
    return { pk: `RL#${rlKey}`, sk: 'RL' };
  }

  async _setTTL(): Promise<void> {}

  async _get(rlKey: string): Promise<WindowItem | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: this.key(rlKey), ConsistentRead: true }));
    if (!r.Item || isExpired(r.Item)) return null;
    return { points: r.Item.points as number, endMs: r.Item.expires_ms as number };
  }

  async _delete(rlKey: string): Promise<boolean> {
    const r = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: this.key(rlKey), ReturnValues: 'ALL_OLD' }));
    return !!r.Attributes && !isExpired(r.Attributes);
  }

  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<WindowItem> {
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      // The ports' windows are at least 1 s; "never expires" (0) is kept as a far end without TTL.
      const end = msDuration > 0 ? now + msDuration : Number.MAX_SAFE_INTEGER;
      const ttl: Record<string, number> = msDuration > 0 ? { ':ttl': ttlAt(end) } : {};
      const setWindow = `SET points = :p, expires_ms = :end${msDuration > 0 ? ', expires_at = :ttl' : ' REMOVE expires_at'}`;
      if (forceExpire) return this.update(rlKey, setWindow, undefined, { ':p': points, ':end': end, ...ttl });
      try {
        return await this.update(rlKey, 'SET points = points + :p', 'expires_ms > :now', { ':p': points, ':now': now });
      } catch (e) {
        if (!conditionFailed(e)) throw e;
      }
      try {
        return await this.update(rlKey, setWindow, 'attribute_not_exists(pk) OR expires_ms <= :now', { ':p': points, ':end': end, ':now': now, ...ttl });
      } catch (e) {
        // Another process opened the window between the two writes: add to it (next turn).
        if (!conditionFailed(e) || attempt >= 5) throw e;
      }
    }
  }

  private async update(rlKey: string, expression: string, condition: string | undefined, values: Record<string, number>): Promise<WindowItem> {
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(rlKey),
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { points: r.Attributes!.points as number, endMs: r.Attributes!.expires_ms as number };
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, item: WindowItem): RateLimiterRes {
    const msBeforeNext = item.endMs === Number.MAX_SAFE_INTEGER ? -1 : Math.max(item.endMs - Date.now(), 0);
    return new RateLimiterRes(Math.max(this.points - item.points, 0), msBeforeNext, item.points, changedPoints === item.points);
  }
}

/** Counters shared by every Lambda instance and process on the same `rateLimits` table. */
export class DynamoDbRateLimitStore implements RateLimitStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly opts: { keyPrefix?: string } = {},
  ) {}

  counter(policy: RateLimitPolicy): RateCounter {
    const keyPrefix = `${this.opts.keyPrefix ?? 'rl'}:${policy.name}`;
    return new LimiterRateCounter(policy, new DynamoTableLimiter({ ...limiterOptions(policy), storeClient: this.doc, keyPrefix }, this.doc, this.table));
  }
}
