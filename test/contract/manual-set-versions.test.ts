import { DynamoDbManualSetVersions } from '../../src/adapters/aws/dynamodb-manual-set-versions.js';
import { MemoryManualSetVersions } from '../../src/adapters/embedded/memory-manual-set-versions.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteManualSetVersions } from '../../src/adapters/embedded/sqlite-manual-set-versions.js';
import { createRedisConnection, redisReady } from '../../src/adapters/redis/redis-connection.js';
import { RedisManualSetVersions } from '../../src/adapters/redis/redis-manual-set-versions.js';
import { MemoryLogger } from '../helpers/fakes.js';
import { testRedis } from '../helpers/redis-test.js';
import { manualSetVersionsContract } from './manual-set-versions.contract.js';
import { onDynamo } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';

manualSetVersionsContract('MemoryManualSetVersions', async () => ({ versions: new MemoryManualSetVersions() }));

manualSetVersionsContract('SqliteManualSetVersions', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  return {
    versions: new SqliteManualSetVersions(t.db),
    twin: new SqliteManualSetVersions(other),
    cleanup: () => {
      other.close();
      t.cleanup();
    },
  };
});

manualSetVersionsContract('RedisManualSetVersions (127.0.0.1:6379)', async () => {
  const a = await testRedis('versions');
  // The twin shares the prefix, as two server processes on one RedisKeyPrefix do.
  const b = createRedisConnection({ url: 'redis://127.0.0.1:6379', logger: new MemoryLogger(), keyPrefix: a.prefix });
  await redisReady(b);
  return {
    versions: new RedisManualSetVersions(a.redis),
    twin: new RedisManualSetVersions(b),
    cleanup: async () => {
      b.disconnect();
      await a.cleanup();
    },
  };
});

for (const emulator of ['dynalite', 'moto'] as const) {
  // The twin is another client on the same table: another Lambda instance.
  onDynamo(emulator, (s) =>
    manualSetVersionsContract(`DynamoDbManualSetVersions (${emulator})`, async () => ({
      versions: new DynamoDbManualSetVersions(s.doc, s.table),
      twin: new DynamoDbManualSetVersions(s.twin(), s.table),
    })),
  );
}
