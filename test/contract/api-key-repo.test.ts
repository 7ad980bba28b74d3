import { SqliteApiKeyRepo } from '../../src/adapters/embedded/sqlite-api-key-repo.js';
import { InMemoryApiKeyRepo } from '../helpers/fakes.js';
import { apiKeyRepoContract } from './api-key-repo.contract.js';
import { tempDb } from './sqlite-temp.js';

apiKeyRepoContract('SqliteApiKeyRepo', () => {
  const t = tempDb();
  return { repo: new SqliteApiKeyRepo(t.db), cleanup: t.cleanup };
});
apiKeyRepoContract('InMemoryApiKeyRepo (fake)', () => ({ repo: new InMemoryApiKeyRepo() }));
