import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisConnection, redisReady } from '../../src/adapters/redis/redis-connection.js';
import { MemoryLogger } from './fakes.js';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A unique key prefix per test, so tests sharing the machine's Redis never see each other's keys. */
export const testPrefix = (tag: string) => `test:${tag}:${process.pid}:${randomBytes(4).toString('hex')}:`;

/**
 * A connection built like the server's (createRedisConnection: 250 ms command time-out, no offline
 * queue) under its own key prefix, ready; cleanup deletes that prefix's keys and disconnects.
 */
export async function testRedis(tag: string, url = TEST_REDIS_URL): Promise<{ redis: Redis; prefix: string; cleanup(): Promise<void> }> {
  const prefix = testPrefix(tag);
  const redis = createRedisConnection({ url, logger: new MemoryLogger(), keyPrefix: prefix });
  assert.ok(await redisReady(redis), `Redis at ${url} is needed`);
  return { redis, prefix, cleanup: () => dropPrefix(url, prefix).finally(() => redis.disconnect()) };
}

/** Deletes every key under `prefix` (SCAN, never KEYS on a shared server). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await raw.connect();
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await raw.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort: a test that killed its own Redis has nothing to clean
  } finally {
    raw.disconnect();
  }
}
