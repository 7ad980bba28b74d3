import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Redis } from 'ioredis';
import { MemoryNonceStore } from '../../src/adapters/embedded/memory-nonce-store.js';
import { redisReady } from '../../src/adapters/redis/redis-connection.js';
import { RedisNonceStore } from '../../src/adapters/redis/redis-nonce-store.js';
import { DynamoDbNonceStore } from '../../src/adapters/aws/dynamodb-nonce-store.js';
import { onDynaliteAndMoto, type DynamoBackend } from './dynamodb-contract-tables.js';
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

// DynamoDB (the aws shape's rateLimits table); two document clients stand for two Lambda instances.
const dynamoNonces = async (d: DynamoBackend) => {
  const table = await d.freshTable('rateLimits');
  return { store: new DynamoDbNonceStore(d.doc, table), twin: new DynamoDbNonceStore(d.twinDoc(), table) };
};
const dynalite = onDynaliteAndMoto('DynamoDbNonceStore', (label, backend) => nonceStoreContract(`DynamoDbNonceStore (${label})`, () => dynamoNonces(backend())));

it('DynamoDbNonceStore: an expired nonce item that TTL has not deleted yet does not block a reuse, a live one does', async () => {
  const d = dynalite();
  const table = await d.freshTable('rateLimits');
  let now = Date.parse('2026-01-01T00:00:00Z');
  const store = new DynamoDbNonceStore(d.doc, table, () => now);
  assert.equal(await store.checkAndRemember('k:n', 300), true);
  now += 299_000;
  assert.equal(await store.checkAndRemember('k:n', 300), false, 'still within its lifetime');
  now += 2_000; // past the lifetime; the item is still in the table (no TTL deletion on dynalite)
  const item = await d.doc.send(new GetCommand({ TableName: table, Key: { pk: 'NONCE#k:n', sk: 'NONCE' } }));
  assert.ok(item.Item, 'the expired item is still stored');
  assert.equal(item.Item.expires_at, Math.ceil((Date.parse('2026-01-01T00:00:00Z') + 300_000) / 1000), 'TTL attribute in epoch seconds');
  assert.equal(await store.checkAndRemember('k:n', 300), true);
  assert.equal(await store.checkAndRemember('k:n', 300), false);
});
