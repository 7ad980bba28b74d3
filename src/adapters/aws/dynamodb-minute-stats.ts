import { GetCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { emptyMinute, MAX_ACTIVE_USERS } from '../../core/monitoring/minute-stats.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { DayCost, MinuteStats, MinuteStatsStore } from '../../core/ports/minute-stats.js';
import { daysMs, isExpired, ttlAt } from './dynamodb-expiry.js';
import { batchDelete, queryAll, type Item, type ItemKey } from './dynamodb-items.js';

/** Counts that add up across writers (the same list as core/monitoring/minute-stats.ts merges). */
const COUNTS = ['requests', 'errors5xx', 'errors4xx', 'cacheHits', 'cacheMisses', 'cacheBypass', 'answers', 'pagesIngested', 'chunksIndexed', 'jobsQueued'] as const;
const DAYS_KEY = { pk: 'MINDAYS', sk: 'MINDAYS' };

const dayOf = (minute: number): string => new Date(minute * 1000).toISOString().slice(0, 10);
const sortKey = (minute: number): string => String(minute).padStart(12, '0');

/**
 * Per-minute figures in the `errorTracking` table: ONE item per minute for every writer (Lambda
 * instances, processes), `MIN#<UTC day>` / `<minute, zero-padded>`, so a minute is read with no merge
 * and a day is one Query. Flushing a minute is one UpdateItem of atomic ADDs on flat attributes:
 * the counts, `l:<bucket>` (latency histogram), `ce:<op>` / `cn:<op>` (cost, count), `mx` (a number
 * set of each flush's largest request cost: the max is taken on read) and `users` (a string set).
 * The gauges (queue depth, DLQ size) are SET per writer, `gq:<source>` / `gd:<source>`: a later
 * sample of a writer replaces its earlier one, and a read takes the largest writer's sample.
 * TTL `expires_at` = time of writing + LogRetentionDays. `MINDAYS` holds the set of days written
 * (added once per day per process), so `prune` queries only those partitions, never scans.
 */
export class DynamoDbMinuteStats implements MinuteStatsStore {
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly registeredDays = new Set<string>();

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    opts: { clock?: Clock; retentionDays?: number } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.retentionMs = daysMs(opts.retentionDays ?? 30);
  }

  async add(source: string, rows: MinuteStats[]): Promise<void> {
    const days = [...new Set(rows.map((r) => dayOf(r.minute)))].filter((d) => !this.registeredDays.has(d));
    if (days.length > 0) {
      await this.doc.send(new UpdateCommand({ TableName: this.table, Key: DAYS_KEY, UpdateExpression: 'ADD #days :d', ExpressionAttributeNames: { '#days': 'days' }, ExpressionAttributeValues: { ':d': new Set(days) } }));
      for (const d of days) this.registeredDays.add(d);
    }
    const ttl = ttlAt(this.clock.now().getTime() + this.retentionMs);
    for (const row of rows) await this.doc.send(new UpdateCommand({ TableName: this.table, ...minuteUpdate(source, row, ttl) }));
  }

  async read(fromMinute: number, toMinute: number): Promise<MinuteStats[]> {
    return (await this.items(fromMinute, toMinute)).map(toStats);
  }

  async costByDay(fromMinute: number, toMinute: number): Promise<DayCost[]> {
    const sums = new Map<string, DayCost>();
    for (const item of await this.items(fromMinute, toMinute)) {
      const day = dayOf(item.minute as number);
      for (const [operation, c] of Object.entries(toStats(item).costs)) {
        const k = `${day}\n${operation}`;
        const t = sums.get(k) ?? sums.set(k, { day, operation, eur: 0, count: 0 }).get(k)!;
        t.eur += c.eur;
        t.count += c.count;
      }
    }
    return [...sums.values()].sort((a, b) => (a.day === b.day ? a.operation.localeCompare(b.operation) : a.day < b.day ? -1 : 1));
  }

  async prune(beforeMinute: number): Promise<number> {
    const lastDay = dayOf(beforeMinute);
    const days = (await this.writtenDays()).filter((d) => d <= lastDay);
    let n = 0;
    for (const day of days) {
      const doomed = await queryAll(this.doc, this.query(day, '0', sortKey(beforeMinute - 1), 'pk, sk'));
      await batchDelete(this.doc, this.table, doomed as ItemKey[]);
      n += doomed.length;
    }
    const emptied = days.filter((d) => d < lastDay);
    if (emptied.length > 0) {
      await this.doc.send(new UpdateCommand({ TableName: this.table, Key: DAYS_KEY, UpdateExpression: 'DELETE #days :d', ExpressionAttributeNames: { '#days': 'days' }, ExpressionAttributeValues: { ':d': new Set(emptied) } }));
      for (const d of emptied) this.registeredDays.delete(d);
    }
    return n;
  }

  /** The live minute items from..to, ascending: one Query per UTC day in the range that has data. */
  private async items(fromMinute: number, toMinute: number): Promise<Item[]> {
    const now = this.clock.now().getTime();
    const out: Item[] = [];
    for (const day of await this.daysBetween(fromMinute, toMinute)) {
      for (const item of await queryAll(this.doc, this.query(day, sortKey(fromMinute), sortKey(toMinute)))) if (!isExpired(item, now)) out.push(item);
    }
    return out;
  }

  /** The days of a short range (a dashboard's hours) directly; of a longer one, those in MINDAYS. */
  private async daysBetween(fromMinute: number, toMinute: number): Promise<string[]> {
    const first = Math.floor(fromMinute / 86_400) * 86_400;
    if (toMinute - first < 3 * 86_400) {
      const out: string[] = [];
      for (let day = first; day <= toMinute; day += 86_400) out.push(dayOf(day));
      return out;
    }
    const [from, to] = [dayOf(fromMinute), dayOf(toMinute)];
    return (await this.writtenDays()).filter((d) => d >= from && d <= to);
  }

  private async writtenDays(): Promise<string[]> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: DAYS_KEY, ConsistentRead: true }));
    return [...((r.Item?.days as Set<string> | undefined) ?? [])].sort();
  }

  private query(day: string, from: string, to: string, projection?: string): QueryCommandInput {
    return {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': `MIN#${day}`, ':from': from, ':to': to },
      ProjectionExpression: projection,
      ConsistentRead: true,
    };
  }
}

/** One UpdateItem adding a writer's row into its minute's item. */
function minuteUpdate(source: string, row: MinuteStats, ttl: number) {
  const names: Record<string, string> = { '#minute': 'minute' };
  const values: Record<string, unknown> = { ':m': row.minute, ':ttl': ttl };
  const adds: string[] = [];
  const sets = ['#minute = :m', 'expires_at = :ttl'];
  let i = 0;
  const add = (attr: string, value: unknown) => {
    names[`#a${i}`] = attr;
    values[`:a${i}`] = value;
    adds.push(`#a${i} :a${i}`);
    i++;
  };
  const set = (attr: string, value: unknown) => {
    names[`#a${i}`] = attr;
    values[`:a${i}`] = value;
    sets.push(`#a${i} = :a${i}`);
    i++;
  };
  for (const k of COUNTS) if (row[k] !== 0) add(k, row[k]);
  for (const [bucket, n] of Object.entries(row.latency)) if (n !== 0) add(`l:${bucket}`, n);
  for (const [op, c] of Object.entries(row.costs)) {
    add(`ce:${op}`, c.eur);
    add(`cn:${op}`, c.count);
  }
  if (row.maxRequestCostEur > 0) add('mx', new Set([row.maxRequestCostEur]));
  if (row.activeUsers.length > 0) add('users', new Set(row.activeUsers));
  if (row.dlqSize !== null) set(`gd:${source}`, row.dlqSize);
  if (row.queueDepth !== null) set(`gq:${source}`, row.queueDepth);
  return {
    Key: { pk: `MIN#${dayOf(row.minute)}`, sk: sortKey(row.minute) },
    UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function toStats(item: Record<string, unknown>): MinuteStats {
  const s = emptyMinute(item.minute as number);
  for (const k of COUNTS) if (typeof item[k] === 'number') s[k] = item[k] as number;
  const gauge = (v: number, was: number | null) => (was === null ? v : Math.max(was, v));
  for (const [attr, v] of Object.entries(item)) {
    if (attr.startsWith('l:')) s.latency[attr.slice(2)] = v as number;
    else if (attr.startsWith('ce:')) (s.costs[attr.slice(3)] ??= { eur: 0, count: 0 }).eur = v as number;
    else if (attr.startsWith('cn:')) (s.costs[attr.slice(3)] ??= { eur: 0, count: 0 }).count = v as number;
    else if (attr.startsWith('gd:')) s.dlqSize = gauge(v as number, s.dlqSize);
    else if (attr.startsWith('gq:')) s.queueDepth = gauge(v as number, s.queueDepth);
  }
  const mx = item.mx as Set<number> | undefined;
  if (mx) s.maxRequestCostEur = Math.max(...mx);
  const users = item.users as Set<string> | undefined;
  if (users) s.activeUsers = [...users].slice(0, MAX_ACTIVE_USERS);
  return s;
}
