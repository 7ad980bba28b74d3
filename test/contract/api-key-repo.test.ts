import { DynamoDbApiKeyRepo } from '../../src/adapters/aws/dynamodb-api-key-repo.js';
import { SqliteApiKeyRepo } from '../../src/adapters/embedded/sqlite-api-key-repo.js';
import { InMemoryApiKeyRepo } from '../helpers/fakes.js';
import { apiKeyRepoContract } from './api-key-repo.contract.js';
import { onDynaliteAndMoto } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';

apiKeyRepoContract('SqliteApiKeyRepo', () => {
  const t = tempDb();
  return { repo: new SqliteApiKeyRepo(t.db), cleanup: t.cleanup };
});
apiKeyRepoContract('InMemoryApiKeyRepo (fake)', () => ({ repo: new InMemoryApiKeyRepo() }));

// DynamoDB (the aws shape's users table): a fresh table per test.
onDynaliteAndMoto('DynamoDbApiKeyRepo', (label, backend) =>
  apiKeyRepoContract(`DynamoDbApiKeyRepo (${label})`, async () => {
    const d = backend();
    return { repo: new DynamoDbApiKeyRepo(d.doc, await d.freshTable('users')) };
  }),
);
