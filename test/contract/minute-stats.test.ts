import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SqliteAlarmStates } from '../../src/adapters/embedded/sqlite-alarm-states.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteMinuteStats } from '../../src/adapters/embedded/sqlite-minute-stats.js';
import { MemoryAlarmStates, MemoryMinuteStats } from '../helpers/monitoring-fakes.js';
import { alarmStatesContract } from './alarm-states.contract.js';
import { minuteStatsContract, row, T0 } from './minute-stats.contract.js';
import { DynamoDbAlarmStates } from '../../src/adapters/aws/dynamodb-alarm-states.js';
import { DynamoDbMinuteStats } from '../../src/adapters/aws/dynamodb-minute-stats.js';
import { onDynaliteAndMoto } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';

minuteStatsContract('SqliteMinuteStats', async () => {
  const t = tempDb();
  return { store: new SqliteMinuteStats(t.db), cleanup: t.cleanup };
});
minuteStatsContract('MemoryMinuteStats (fake)', async () => ({ store: new MemoryMinuteStats() }));

alarmStatesContract('SqliteAlarmStates', async () => {
  const t = tempDb();
  return { states: new SqliteAlarmStates(t.db), cleanup: t.cleanup };
});
alarmStatesContract('MemoryAlarmStates (fake)', async () => ({ states: new MemoryAlarmStates() }));

it('SqliteMinuteStats: rows survive closing the file, and two connections (processes) merge on read', async () => {
  const t = tempDb();
  try {
    await new SqliteMinuteStats(t.db).add('p1', [row(T0, { requests: 5, errors5xx: 1 })]);
    t.db.close();
    const a = openDatabase(t.file);
    const b = openDatabase(t.file);
    try {
      await new SqliteMinuteStats(b).add('p2', [row(T0, { requests: 2 })]);
      const [r] = await new SqliteMinuteStats(a).read(T0, T0);
      assert.equal(r!.requests, 7);
      assert.equal(r!.errors5xx, 1);
    } finally {
      a.close();
      b.close();
    }
  } finally {
    t.cleanup();
  }
});

it('SqliteAlarmStates: of two connections racing the same transition, exactly one wins', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const a = new SqliteAlarmStates(t.db);
    const b = new SqliteAlarmStates(other);
    const next = { name: 'ErrorRateThreshold', state: 'alarm' as const, since: 'now', value: 50 };
    const won = await Promise.all([a.transition(null, next), b.transition(null, next), a.transition(null, next)]);
    assert.equal(won.filter(Boolean).length, 1);
  } finally {
    other.close();
    t.cleanup();
  }
});

// DynamoDB (the aws shape's errorTracking table): a fresh table per test.
const dynalite = onDynaliteAndMoto('DynamoDbMinuteStats / DynamoDbAlarmStates', (label, backend) => {
  minuteStatsContract(`DynamoDbMinuteStats (${label})`, async () => {
    const d = backend();
    return { store: new DynamoDbMinuteStats(d.doc, await d.freshTable('errorTracking')) };
  });
  alarmStatesContract(`DynamoDbAlarmStates (${label})`, async () => {
    const d = backend();
    return { states: new DynamoDbAlarmStates(d.doc, await d.freshTable('errorTracking')) };
  });
});

it('DynamoDbMinuteStats: 20 flushes racing from two clients add up exactly in the one minute item; an expired minute is not read', async () => {
  const d = dynalite();
  const table = await d.freshTable('errorTracking');
  let now = new Date(T0 * 1000 + 30_000);
  const clock = { now: () => now };
  const a = new DynamoDbMinuteStats(d.doc, table, { clock, retentionDays: 1 });
  const b = new DynamoDbMinuteStats(d.twinDoc(), table, { clock, retentionDays: 1 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).add(`p${i % 2}`, [row(T0, { requests: 3, costs: { query: { eur: 0.1, count: 1 } }, queueDepth: i })])));
  const [r] = await b.read(T0, T0);
  assert.equal(r!.requests, 60);
  assert.equal(r!.costs.query!.count, 20);
  assert.ok(Math.abs(r!.costs.query!.eur - 2) < 1e-9);
  now = new Date(T0 * 1000 + 86_400_000 + 31_000); // past its TTL (written + 1 day); dynalite keeps the item
  assert.deepEqual(await a.read(T0, T0), []);
});

it('DynamoDbAlarmStates: of two clients racing the same transition, exactly one wins', async () => {
  const d = dynalite();
  const table = await d.freshTable('errorTracking');
  const a = new DynamoDbAlarmStates(d.doc, table);
  const b = new DynamoDbAlarmStates(d.twinDoc(), table);
  const next = { name: 'ErrorRateThreshold', state: 'alarm' as const, since: 'now', value: 50 };
  const won = await Promise.all([a.transition(null, next), b.transition(null, next), a.transition(null, next), b.transition(null, next)]);
  assert.equal(won.filter(Boolean).length, 1);
  const cleared = { ...next, state: 'ok' as const };
  const won2 = await Promise.all([a.transition('alarm', cleared), b.transition('alarm', cleared)]);
  assert.equal(won2.filter(Boolean).length, 1);
});
