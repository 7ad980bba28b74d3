import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore } from '../../src/adapters/embedded/memory-rate-limit-store.js';
import { redisReady } from '../../src/adapters/redis/redis-connection.js';
import { RedisRateLimitStore } from '../../src/adapters/redis/redis-rate-limit-store.js';
import { rateLimitStoreContract } from './rate-limit-store.contract.js';

rateLimitStoreContract('MemoryRateLimitStore', async () => ({ store: new MemoryRateLimitStore() }));

// The real Redis server of the machine; two connections stand for two server processes.
rateLimitStoreContract('RedisRateLimitStore (127.0.0.1:6379)', async () => {
  const prefix = `test:rl:${process.pid}:${randomBytes(4).toString('hex')}`;
  const a = new Redis('redis://127.0.0.1:6379');
  const b = new Redis('redis://127.0.0.1:6379');
  assert.ok((await redisReady(a)) && (await redisReady(b)), 'Redis at 127.0.0.1:6379 is needed');
  return {
    store: new RedisRateLimitStore(a, { keyPrefix: prefix }),
    twin: new RedisRateLimitStore(b, { keyPrefix: prefix }),
    async cleanup() {
      const keys = await a.keys(`${prefix}*`);
      if (keys.length) await a.del(...keys);
      a.disconnect();
      b.disconnect();
    },
  };
});
