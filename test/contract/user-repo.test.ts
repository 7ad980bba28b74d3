import { SqliteUserRepo } from '../../src/adapters/embedded/sqlite-user-repo.js';
import { InMemoryUserRepo } from '../helpers/fakes.js';
import { tempDb } from './sqlite-temp.js';
import { userRepoContract } from './user-repo.contract.js';

userRepoContract('SqliteUserRepo', () => {
  const t = tempDb();
  return { repo: new SqliteUserRepo(t.db), cleanup: t.cleanup };
});
userRepoContract('InMemoryUserRepo (fake)', () => ({ repo: new InMemoryUserRepo() }));
