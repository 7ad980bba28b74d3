/**
 * Usage history and the cost ledger in the usage table (docs/decisions/0019). Items:
 *   event   pk EVENTS#<userId>  sk <at>#<rand>      userId, operation, at, costEur, detail
 *           gsi1 EVENTMONTH#<yyyy-mm> / <at>#<userId>#<rand>            (prune, across users)
 *           expires_at = at + retention (UsageDataRetentionDays)
 *   ledger  pk COSTS#<userId>   sk <day>#<operation> count, costEur (ADD: exact under concurrency)
 *           gsi1 COSTMONTH#<yyyy-mm> / <day>#<operation>#<userId>        (dailyTotals, prune)
 *           expires_at = end of its month + retention (monthly totals stay whole, as in SQLite)
 *   month   pk USAGEMONTHS      sk <yyyy-mm>        which months hold data: prune queries those
 *           months' index partitions instead of scanning the table (written once per month per instance)
 * Costs (items < 1 KB; RRU strongly consistent on the table, half on the index):
 *   record       2 WRU (event PutItem + ledger UpdateItem), +1 the first time an instance sees a month
 *   totals       Query on the user's events since the time: 1 RRU per 4 KB read (~25 events)
 *   recent       Query newest first with Limit: about 1 RRU per 25 events returned
 *   userTotals   Query on the user's ledger for the month: 1 RRU (at most 31 days x 3 operations)
 *   dailyTotals  one index Query per month in the range: 0.5 RRU per 4 KB of lines (users x days x ops)
 *   prune        index Queries of the months before the cut-off + 1 WRU per deleted item
 * On AWS, TTL does the retention for free and prune finds little; readers skip expired items either way.
 * Without transactions the event and its ledger line are two writes: a crash between them leaves the
 * history and the ledger one event apart (the ledger is what is billed and alarmed on, and it is the
 * atomic ADD).
 */
import { randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UsageEvent, UsageOperation } from '../../core/model/types.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { CostLedger, CostLine } from '../../core/ports/cost-ledger.js';
import type { UsageCounts, UsageRepo } from '../../core/ports/usage-repo.js';
import { usagePeriods } from '../../core/usage/usage-periods.js';
import { batchDelete, epochSeconds, queryAll, type Item } from './dynamodb-items.js';

const DAY_S = 86_400;
const MONTHS = 'USAGEMONTHS';

export interface DynamoDbUsageRepoOptions {
  /** UsageDataRetentionDays: events and ledger lines get a TTL that far out; none when undefined. */
  retentionDays?: number;
  clock?: Clock;
}

/** Months `from`..`to` inclusive (YYYY-MM). */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > to) break;
    out.push(key);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
}

const byOperation = (a: CostLine, b: CostLine) => (a.operation < b.operation ? -1 : a.operation > b.operation ? 1 : 0);

export class DynamoDbUsageRepo implements UsageRepo, CostLedger {
  private readonly clock: Clock;
  private readonly monthsSeen = new Map<string, Promise<unknown>>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly opts: DynamoDbUsageRepoOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Server-side skip of expired items (TTL deletes lazily; dynalite never does). */
  private liveFilter(): { FilterExpression: string; values: Item } {
    return { FilterExpression: 'attribute_not_exists(expires_at) OR expires_at > :now', values: { ':now': epochSeconds(this.clock.now()) } };
  }

  private ttl(atS: number): Item {
    return this.opts.retentionDays === undefined ? {} : { expires_at: atS + this.opts.retentionDays * DAY_S };
  }

  async record(e: UsageEvent): Promise<void> {
    // Normalised so key ranges on `at` are chronological, as in SQLite.
    const atDate = new Date(e.at);
    const at = atDate.toISOString();
    const day = at.slice(0, 10);
    const month = at.slice(0, 7);
    const rand = randomBytes(6).toString('hex');
    const event: Item = {
      pk: `EVENTS#${e.userId}`,
      sk: `${at}#${rand}`,
      gsi1pk: `EVENTMONTH#${month}`,
      gsi1sk: `${at}#${e.userId}#${rand}`,
      userId: e.userId,
      operation: e.operation,
      at,
      costEur: e.costEur,
      ...(e.detail ? { detail: e.detail } : {}),
      ...this.ttl(epochSeconds(atDate)),
    };
    const ledgerTtl = this.ttl(epochSeconds(usagePeriods(atDate).monthEndsAt));
    await Promise.all([
      this.doc.send(new PutCommand({ TableName: this.table, Item: event })),
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `COSTS#${e.userId}`, sk: `${day}#${e.operation}` },
          UpdateExpression: `ADD #count :one, costEur :cost SET userId = :u, #day = :day, operation = :op, gsi1pk = :gpk, gsi1sk = :gsk${ledgerTtl.expires_at ? ', expires_at = :ttl' : ''}`,
          ExpressionAttributeNames: { '#count': 'count', '#day': 'day' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':cost': e.costEur,
            ':u': e.userId,
            ':day': day,
            ':op': e.operation,
            ':gpk': `COSTMONTH#${month}`,
            ':gsk': `${day}#${e.operation}#${e.userId}`,
            ...(ledgerTtl.expires_at ? { ':ttl': ledgerTtl.expires_at } : {}),
          },
        }),
      ),
      this.noteMonth(month),
    ]);
  }

  /** Once per month per instance (parallel records share the one write; a failed one is tried again). */
  private noteMonth(month: string): Promise<unknown> {
    let p = this.monthsSeen.get(month);
    if (!p) {
      p = this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: MONTHS, sk: month } }));
      p.catch(() => this.monthsSeen.delete(month));
      this.monthsSeen.set(month, p);
    }
    return p;
  }

  async totals(userId: string, sinceIso: string, operation?: UsageOperation): Promise<UsageCounts> {
    const live = this.liveFilter();
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk >= :since',
      FilterExpression: operation ? `(${live.FilterExpression}) AND #op = :op` : live.FilterExpression,
      ExpressionAttributeValues: { ':pk': `EVENTS#${userId}`, ':since': new Date(sinceIso).toISOString(), ...live.values, ...(operation ? { ':op': operation } : {}) },
      ProjectionExpression: '#op, costEur',
      ExpressionAttributeNames: { '#op': 'operation' },
      ConsistentRead: true,
    });
    const out: UsageCounts = { count: 0, costEur: 0, byOperation: {} };
    for (const i of items) {
      const op = i.operation as UsageOperation;
      out.count += 1;
      out.costEur += Number(i.costEur ?? 0);
      out.byOperation[op] = (out.byOperation[op] ?? 0) + 1;
    }
    return out;
  }

  async recent(userId: string, limit: number): Promise<UsageEvent[]> {
    if (limit <= 0) return [];
    const live = this.liveFilter();
    const items = await queryAll(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: live.FilterExpression,
        ExpressionAttributeValues: { ':pk': `EVENTS#${userId}`, ...live.values },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      },
      limit,
    );
    return items.slice(0, limit).map((i) => ({
      userId: i.userId as string,
      operation: i.operation as UsageOperation,
      at: i.at as string,
      costEur: Number(i.costEur ?? 0),
      ...(i.detail ? { detail: i.detail as Record<string, unknown> } : {}),
    }));
  }

  /** One Query on the user's events in the range (sk starts with `at`): 1 RRU per ~25 events. */
  async history(userId: string, sinceIso: string, untilIso: string): Promise<UsageEvent[]> {
    const live = this.liveFilter();
    const items = await queryAll(this.doc, {
      TableName: this.table,
      // sk is `<at>#<rand>`: an event at exactly `until` sorts after `until` itself, so BETWEEN excludes it.
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :since AND :until',
      FilterExpression: live.FilterExpression,
      ExpressionAttributeValues: { ':pk': `EVENTS#${userId}`, ':since': new Date(sinceIso).toISOString(), ':until': new Date(untilIso).toISOString(), ...live.values },
      ConsistentRead: true,
    });
    return items.map((i) => ({
      userId: i.userId as string,
      operation: i.operation as UsageOperation,
      at: i.at as string,
      costEur: Number(i.costEur ?? 0),
      ...(i.detail ? { detail: i.detail as Record<string, unknown> } : {}),
    }));
  }

  /** Events before `beforeIso`; ledger lines of the months before its month (monthly totals stay whole). */
  async prune(beforeIso: string): Promise<number> {
    const before = new Date(beforeIso).toISOString();
    const cutMonth = before.slice(0, 7);
    const months = (
      await queryAll(this.doc, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk <= :m',
        ExpressionAttributeValues: { ':pk': MONTHS, ':m': cutMonth },
        ConsistentRead: true,
      })
    ).map((i) => i.sk as string);
    let deleted = 0;
    for (const month of months) {
      const events = await this.indexed(`EVENTMONTH#${month}`, 'gsi1sk < :to', { ':to': before });
      await batchDelete(this.doc, this.table, events.map((i) => ({ pk: i.pk as string, sk: i.sk as string })));
      deleted += events.length;
      if (month < cutMonth) {
        const lines = await this.indexed(`COSTMONTH#${month}`);
        await batchDelete(this.doc, this.table, [...lines.map((i) => ({ pk: i.pk as string, sk: i.sk as string })), { pk: MONTHS, sk: month }]);
        this.monthsSeen.delete(month);
      }
    }
    return deleted;
  }

  private indexed(gsi1pk: string, range?: string, values: Item = {}): Promise<Item[]> {
    return queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: `gsi1pk = :g${range ? ` AND ${range}` : ''}`,
      ExpressionAttributeValues: { ':g': gsi1pk, ...values },
    });
  }

  async userTotals(userId: string, at: Date): Promise<{ day: CostLine[]; month: CostLine[] }> {
    const p = usagePeriods(at);
    const live = this.liveFilter();
    const items = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :month)',
      FilterExpression: live.FilterExpression,
      ExpressionAttributeValues: { ':pk': `COSTS#${userId}`, ':month': `${p.month}-`, ...live.values },
      ConsistentRead: true,
    });
    const day: CostLine[] = [];
    const month = new Map<UsageOperation, CostLine>();
    for (const i of items) {
      const line: CostLine = { operation: i.operation as UsageOperation, count: Number(i.count ?? 0), costEur: Number(i.costEur ?? 0) };
      if (i.day === p.day) day.push({ ...line });
      const m = month.get(line.operation);
      if (m) (m.count += line.count), (m.costEur += line.costEur);
      else month.set(line.operation, line);
    }
    return { day: day.sort(byOperation), month: [...month.values()].sort(byOperation) };
  }

  async dailyTotals(fromDay: string, toDay: string): Promise<Array<CostLine & { day: string }>> {
    if (fromDay > toDay) return [];
    const live = this.liveFilter();
    const sums = new Map<string, CostLine & { day: string }>();
    for (const month of monthsBetween(fromDay.slice(0, 7), toDay.slice(0, 7))) {
      const items = await queryAll(this.doc, {
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :g AND gsi1sk BETWEEN :from AND :to',
        FilterExpression: live.FilterExpression,
        ExpressionAttributeValues: { ':g': `COSTMONTH#${month}`, ':from': fromDay, ':to': `${toDay}~`, ...live.values },
      });
      for (const i of items) {
        const k = `${i.day as string}#${i.operation as string}`;
        const s = sums.get(k) ?? { day: i.day as string, operation: i.operation as UsageOperation, count: 0, costEur: 0 };
        s.count += Number(i.count ?? 0);
        s.costEur += Number(i.costEur ?? 0);
        sums.set(k, s);
      }
    }
    return [...sums.values()].sort((a, b) => (a.day === b.day ? byOperation(a, b) : a.day < b.day ? -1 : 1));
  }
}
