import { DynamoDbManualRepo } from '../../src/adapters/aws/dynamodb-manual-repo.js';
import { SqliteManualRepo } from '../../src/adapters/embedded/sqlite-manual-repo.js';
import { InMemoryManualRepo } from '../helpers/fakes.js';
import { manualRepoContract } from './manual-repo.contract.js';
import { onDynamo } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';

manualRepoContract('SqliteManualRepo', () => {
  const t = tempDb();
  return { repo: new SqliteManualRepo(t.db), cleanup: t.cleanup };
});
manualRepoContract('InMemoryManualRepo (fake)', () => ({ repo: new InMemoryManualRepo() }));

for (const emulator of ['dynalite', 'moto'] as const) {
  onDynamo(emulator, (s) => manualRepoContract(`DynamoDbManualRepo (${emulator})`, () => ({ repo: new DynamoDbManualRepo(s.doc, s.table) })));
}
