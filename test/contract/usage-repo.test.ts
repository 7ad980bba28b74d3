import { SqliteUsageRepo } from '../../src/adapters/embedded/sqlite-usage-repo.js';
import { InMemoryUsageRepo } from '../helpers/fakes.js';
import { tempDb } from './sqlite-temp.js';
import { usageRepoContract } from './usage-repo.contract.js';

usageRepoContract('SqliteUsageRepo', () => {
  const t = tempDb();
  return { repo: new SqliteUsageRepo(t.db), cleanup: t.cleanup };
});
usageRepoContract('InMemoryUsageRepo (fake)', () => ({ repo: new InMemoryUsageRepo() }));
