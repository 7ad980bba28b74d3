import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryUsageCounters } from '../../src/adapters/embedded/memory-usage-counters.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteUsageCounters } from '../../src/adapters/embedded/sqlite-usage-counters.js';
import { SqliteUsageRepo } from '../../src/adapters/embedded/sqlite-usage-repo.js';
import { RedisUsageCounters } from '../../src/adapters/redis/redis-usage-counters.js';
import { testRedis } from '../helpers/redis-test.js';
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
