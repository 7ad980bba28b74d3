import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryNonceStore } from '../../src/adapters/embedded/memory-nonce-store.js';
import { redisReady } from '../../src/adapters/redis/redis-connection.js';
import { RedisNonceStore } from '../../src/adapters/redis/redis-nonce-store.js';
import { nonceStoreContract } from './nonce-store.contract.js';

nonceStoreContract('MemoryNonceStore', async () => ({ store: new MemoryNonceStore() }));

// The real Redis server of the machine; two connections stand for two server processes.
nonceStoreContract('RedisNonceStore (127.0.0.1:6379)', async () => {
  const prefix = `test:nonce:${process.pid}:${randomBytes(4).toString('hex')}`;
  const a = new Redis('redis://127.0.0.1:6379');
  const b = new Redis('redis://127.0.0.1:6379');
  // Not ready yet would mean the in-memory fallback answers: the test must talk to Redis.
  assert.ok((await redisReady(a)) && (await redisReady(b)), 'Redis at 127.0.0.1:6379 is needed');
  return {
    store: new RedisNonceStore(a, { keyPrefix: prefix }),
    twin: new RedisNonceStore(b, { keyPrefix: prefix }),
    async cleanup() {
      const keys = await a.keys(`${prefix}*`);
      if (keys.length) await a.del(...keys);
      a.disconnect();
      b.disconnect();
    },
  };
});

it('RedisNonceStore with Redis unreachable falls back to memory: replays to this process are still refused', async () => {
  const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  down.on('error', () => {});
  try {
    const store = new RedisNonceStore(down, { keyPrefix: 'test:nonce:down' });
    assert.equal(await store.checkAndRemember('k:n', 60), true);
    assert.equal(await store.checkAndRemember('k:n', 60), false);
  } finally {
    down.disconnect();
  }
});
