import assert from 'node:assert/strict';
import { it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbUsageCounters } from '../../src/adapters/aws/dynamodb-usage-counters.js';
import { MemoryUsageCounters } from '../../src/adapters/embedded/memory-usage-counters.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteUsageCounters } from '../../src/adapters/embedded/sqlite-usage-counters.js';
import { SqliteUsageRepo } from '../../src/adapters/embedded/sqlite-usage-repo.js';
import { RedisUsageCounters } from '../../src/adapters/redis/redis-usage-counters.js';
import { testRedis } from '../helpers/redis-test.js';
import { onDynamo } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';
import { usageCountersContract } from './usage-counters.contract.js';

usageCountersContract('MemoryUsageCounters', async () => ({ counters: new MemoryUsageCounters() }));

usageCountersContract('SqliteUsageCounters', async () => {
  const t = tempDb();
  return { counters: new SqliteUsageCounters(t.db), cleanup: t.cleanup };
});

usageCountersContract('RedisUsageCounters (127.0.0.1:6379)', async () => {
  const { redis, cleanup } = await testRedis('counters');
  return { counters: new RedisUsageCounters(redis), cleanup };
});

it('SqliteUsageCounters are exact across two connections to the same file (two processes)', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const a = new SqliteUsageCounters(t.db);
    const b = new SqliteUsageCounters(other);
    const now = new Date('2025-03-10T12:00:00.000Z');
    const limits = { daily: 7, monthly: 0 };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).checkAndCount('u', limits, now)));
    assert.equal(results.filter((r) => r.allowed).length, 7);
    assert.equal((await b.read('u', now)).day.count, 7);
  } finally {
    other.close();
    t.cleanup();
  }
});

it('SqliteUsageCounters start from the event log of a database that had none (an upgrade resets no quota)', async () => {
  const t = tempDb();
  try {
    const events = new SqliteUsageRepo(t.db);
    const now = new Date();
    await events.record({ userId: 'u', operation: 'query', at: now.toISOString(), costEur: 0.5 });
    await events.record({ userId: 'u', operation: 'transcribe', at: now.toISOString(), costEur: 0 });
    await events.record({ userId: 'u', operation: 'upload', at: now.toISOString(), costEur: 0 });
    const counters = new SqliteUsageCounters(t.db);
    const r = await counters.read('u', now);
    assert.equal(r.day.count, 2);
    assert.equal(r.month.count, 2);
    assert.equal(r.day.costEur, 0.5);
  } finally {
    t.cleanup();
  }
});

it('RedisUsageCounters keys expire a day after their period', async () => {
  const { redis, cleanup } = await testRedis('counters-ttl');
  try {
    const c = new RedisUsageCounters(redis);
    const now = new Date();
    await c.checkAndCount('u', { daily: 1, monthly: 1 }, now);
    const day = await redis.ttl(`usage:u:d:${now.toISOString().slice(0, 10)}`);
    assert.ok(day > 86_400 && day <= 2 * 86_400, `day TTL ${day}`);
  } finally {
    await cleanup();
  }
});

for (const emulator of ['dynalite', 'moto'] as const) {
  onDynamo(emulator, (s) => {
    usageCountersContract(`DynamoDbUsageCounters (${emulator})`, async () => ({ counters: new DynamoDbUsageCounters(s.doc, s.table) }));

    // dynalite only: moto's conditional writes race across its threads (see dynamodb-contract-tables.ts).
    it(`DynamoDbUsageCounters (${emulator}): exact across two clients (two Lambda instances) on one table`, { skip: emulator === 'moto' && 'moto is not atomic across connections' }, async () => {
      const a = new DynamoDbUsageCounters(s.doc, s.table);
      const b = new DynamoDbUsageCounters(s.twin(), s.table);
      const now = new Date('2025-03-31T23:59:59.000Z');
      await a.add('u', now, { count: 2, costEur: 0 });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).checkAndCount('u', { daily: 100, monthly: 9 }, now, 0.001)));
      assert.equal(results.filter((r) => r.allowed).length, 7, 'the month limit holds across clients');
      const t = await b.read('u', now);
      assert.deepEqual([t.day.count, t.month.count], [9, 9]);
      assert.equal(t.month.costEur, 0.007, 'decimal costs add up exactly');
    });

    it(`DynamoDbUsageCounters (${emulator}): one item per user and month, expiring a day after the month ends`, async () => {
      const c = new DynamoDbUsageCounters(s.doc, s.table);
      await c.checkAndCount('u', { daily: 5, monthly: 5 }, new Date('2025-03-10T12:00:00.000Z'));
      await c.checkAndCount('u', { daily: 5, monthly: 5 }, new Date('2025-03-11T12:00:00.000Z'));
      const { Item } = await s.doc.send(new GetCommand({ TableName: s.table, Key: { pk: 'COUNTERS#u', sk: 'MONTH#2025-03' }, ConsistentRead: true }));
      assert.equal(Item?.expires_at, Date.parse('2025-04-02T00:00:00.000Z') / 1000);
      assert.deepEqual([Item?.mCount, Item?.dCount_10, Item?.dCount_11], [2, 1, 1]);
    });
  });
}
