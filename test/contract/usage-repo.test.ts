import { DynamoDbUsageRepo } from '../../src/adapters/aws/dynamodb-usage-repo.js';
import { SqliteUsageRepo } from '../../src/adapters/embedded/sqlite-usage-repo.js';
import { InMemoryUsageRepo } from '../helpers/fakes.js';
import { onDynamo } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';
import { usageRepoContract } from './usage-repo.contract.js';

usageRepoContract('SqliteUsageRepo', () => {
  const t = tempDb();
  return { repo: new SqliteUsageRepo(t.db), cleanup: t.cleanup };
});
usageRepoContract('InMemoryUsageRepo (fake)', () => ({ repo: new InMemoryUsageRepo() }));
for (const emulator of ['dynalite', 'moto'] as const) {
  onDynamo(emulator, (s) => usageRepoContract(`DynamoDbUsageRepo (${emulator})`, () => ({ repo: new DynamoDbUsageRepo(s.doc, s.table) })));
}
