/**
 * What the aws shape's per-invocation minute flush (ADR 0029) costs: the size of the one minute item in
 * the errorTracking table after N flushes with K active users, the write units an UpdateItem of it is
 * billed (the larger of the item before and after, per started KB), and the time of a flush on dynalite.
 * `node dist/bench/aws-minute-flush.js` after `npx tsc -p tsconfig.json`.
 */
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbMinuteStats } from '../src/adapters/aws/dynamodb-minute-stats.js';
import { MinuteAggregator } from '../src/core/monitoring/minute-aggregator.js';
import { systemClock } from '../src/core/ports/clock.js';
import { startDynalite } from '../test/helpers/aws-emulators.js';

/** DynamoDB's item size: attribute names plus values (numbers ~ digits/2 + 1, strings in UTF-8, sets summed). */
function itemBytes(item: Record<string, unknown>): number {
  const size = (v: unknown): number => {
    const a = v as Record<string, unknown>;
    if ('S' in a) return Buffer.byteLength(a.S as string);
    if ('N' in a) return Math.ceil(String(a.N).replace(/^-|\./g, '').length / 2) + 1;
    if ('SS' in a) return (a.SS as string[]).reduce((s, x) => s + Buffer.byteLength(x), 0);
    if ('NS' in a) return (a.NS as string[]).reduce((s, x) => s + Math.ceil(x.length / 2) + 1, 0);
    return 1;
  };
  return Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + size(v), 0);
}

const d = await startDynalite();
try {
  console.log('active users | flushes | item bytes | WRU per flush | ms per flush (dynalite)');
  for (const users of [1, 10, 100, 500]) {
    const stats = new DynamoDbMinuteStats(d.doc, d.tables.errorTracking);
    const ids = Array.from({ length: users }, () => randomUUID());
    const flushes = 50;
    let ms = 0;
    let minute = 0;
    for (let f = 0; f < flushes; f++) {
      // One invocation: a question (request, answer, usage event) by one of the users, then the flush.
      const agg = new MinuteAggregator(systemClock);
      agg.request(200, 20 + (f % 7) * 13, 0.002);
      agg.answer(f % 3 === 0 ? 'miss' : 'hit');
      agg.usage('query', 0.002, ids[f % users]!);
      const rows = agg.take();
      minute = rows[0]!.minute;
      const t0 = performance.now();
      await stats.add(`c${f % 4}`, rows);
      ms += performance.now() - t0;
    }
    // Every user of the minute active, as on a busy minute.
    const all = new MinuteAggregator(systemClock);
    for (const id of ids) all.usage('query', 0, id);
    const rows = all.take().map((r) => ({ ...r, minute }));
    await stats.add('c0', rows);
    const day = new Date(minute * 1000).toISOString().slice(0, 10);
    const got = await d.client.send(new GetItemCommand({ TableName: d.tables.errorTracking, Key: { pk: { S: `MIN#${day}` }, sk: { S: String(minute).padStart(12, '0') } } }));
    const bytes = itemBytes(got.Item ?? {});
    console.log(`${String(users).padStart(12)} | ${String(flushes + 1).padStart(7)} | ${String(bytes).padStart(10)} | ${String(Math.ceil(bytes / 1024)).padStart(13)} | ${(ms / flushes).toFixed(2)}`);
    // A fresh minute item for the next row: clear by pruning everything.
    await stats.prune(minute + 60);
  }
} finally {
  await d.close();
}
