import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryRateLimitStore } from '../../src/adapters/embedded/memory-rate-limit-store.js';
import { SqliteRateLimitStore } from '../../src/adapters/embedded/sqlite-rate-limit-store.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { tempDb } from './sqlite-temp.js';
import { createRedisConnection, redisReady } from '../../src/adapters/redis/redis-connection.js';
import { RedisRateLimitStore } from '../../src/adapters/redis/redis-rate-limit-store.js';
import { MemoryLogger } from '../helpers/fakes.js';
import { dropPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis-test.js';
import { DynamoDbRateLimitStore } from '../../src/adapters/aws/dynamodb-rate-limit-store.js';
import { countingDoc, onDynaliteAndMoto, type DynamoBackend } from './dynamodb-contract-tables.js';
import { rateLimitStoreContract } from './rate-limit-store.contract.js';

rateLimitStoreContract('MemoryRateLimitStore', async () => ({ store: new MemoryRateLimitStore() }));

// The data dir's SQLite file; two connections to one file stand for two worker processes.
rateLimitStoreContract('SqliteRateLimitStore (WAL file)', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  return {
    store: new SqliteRateLimitStore(t.db),
    twin: new SqliteRateLimitStore(other),
    async cleanup() {
      other.close();
      t.cleanup();
    },
  };
});

// The real Redis server of the machine; two connections stand for two server processes. They are built
// like the server's (RedisKeyPrefix as the ioredis keyPrefix), so the limiter's scripts run under it too.
rateLimitStoreContract('RedisRateLimitStore (127.0.0.1:6379)', async () => {
  const prefix = testPrefix('rl-contract');
  const [a, b] = [0, 1].map(() => createRedisConnection({ url: TEST_REDIS_URL, logger: new MemoryLogger(), keyPrefix: prefix }));
  assert.ok((await redisReady(a!)) && (await redisReady(b!)), `Redis at ${TEST_REDIS_URL} is needed`);
  return {
    store: new RedisRateLimitStore(a!),
    twin: new RedisRateLimitStore(b!),
    async cleanup() {
      // The counters really live under the connection's prefix (nothing leaks outside it on a shared server).
      const raw = new Redis(TEST_REDIS_URL);
      const keys = await raw.scanStream({ match: `${prefix}rl:*`, count: 1000 }).toArray().finally(() => raw.disconnect());
      assert.ok(keys.flat().length > 0, `counters under ${prefix}rl:`);
      a!.disconnect();
      b!.disconnect();
      await dropPrefix(TEST_REDIS_URL, prefix);
    },
  };
});

// DynamoDB (the aws shape's rateLimits table); two document clients stand for two Lambda instances.
const dynamoStores = async (d: DynamoBackend) => {
  const table = await d.freshTable('rateLimits');
  return { store: new DynamoDbRateLimitStore(d.doc, table), twin: new DynamoDbRateLimitStore(d.twinDoc(), table) };
};
const dynalite = onDynaliteAndMoto('DynamoDbRateLimitStore', (label, backend) => rateLimitStoreContract(`DynamoDbRateLimitStore (${label})`, () => dynamoStores(backend())));

it('DynamoDbRateLimitStore: a hit in an open window is one UpdateItem; opening a window two; a block one more', async () => {
  const d = dynalite();
  const { doc, calls } = countingDoc(d);
  const c = new DynamoDbRateLimitStore(doc, await d.freshTable('rateLimits')).counter({ name: 'cost', points: 2, windowSeconds: 60, blockSeconds: 600 });
  await c.consume('k');
  assert.deepEqual(calls.splice(0), ['UpdateItem', 'UpdateItem'], 'first hit: the add is refused (no window), then the window opens');
  await c.consume('k');
  assert.deepEqual(calls.splice(0), ['UpdateItem']);
  const over = await c.consume('k');
  assert.equal(over.allowed, false);
  assert.deepEqual(calls.splice(0), ['UpdateItem', 'UpdateItem'], 'the hit, then the block');
  assert.ok(over.resetMs > 590_000);
});
