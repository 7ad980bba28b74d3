import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryCache } from '../../src/adapters/embedded/memory-cache.js';
import { RedisAnswerCache } from '../../src/adapters/redis/redis-answer-cache.js';
import { MemoryLogger } from '../helpers/fakes.js';
import { testRedis } from '../helpers/redis-test.js';
import { cacheContract } from './cache.contract.js';

cacheContract('MemoryCache', (clock) => new MemoryCache({ clock }));

// The machine's Redis, through a connection built like the server's, under a key prefix per test.
cacheContract('RedisAnswerCache (127.0.0.1:6379)', async (clock) => {
  const { redis, cleanup } = await testRedis('cache');
  return { cache: new RedisAnswerCache(redis, { logger: new MemoryLogger(), clock }), cleanup };
});

it('MemoryCache evicts the least recently used entry beyond its cap', async () => {
  const c = new MemoryCache({ maxEntries: 2 });
  await c.set('a', '1', 60);
  await c.set('b', '2', 60);
  await c.get('a'); // a is now the most recently used
  await c.set('c', '3', 60);
  assert.equal(await c.get('b'), null);
  assert.equal(await c.get('a'), '1');
  assert.equal(await c.get('c'), '3');
  assert.equal(c.size, 2);
});

it('RedisAnswerCache leaves the expiry to Redis too, and fails (for the caller to bypass) with Redis gone, logging once', async () => {
  const { redis, prefix, cleanup } = await testRedis('cache-ttl');
  const logger = new MemoryLogger();
  try {
    const c = new RedisAnswerCache(redis, { logger });
    await c.set('k', 'v', 30);
    const ttl = await redis.ttl('k');
    assert.ok(ttl > 0 && ttl <= 30, `TTL ${ttl}`);
    assert.ok(prefix.length > 0 && (await redis.exists('k')) === 1);
    redis.disconnect();
    await assert.rejects(c.get('k'));
    await assert.rejects(c.set('k', 'w', 30));
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1, 'one line per outage');
  } finally {
    await cleanup();
  }
});
