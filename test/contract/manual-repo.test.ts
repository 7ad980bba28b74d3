import { SqliteManualRepo } from '../../src/adapters/embedded/sqlite-manual-repo.js';
import { InMemoryManualRepo } from '../helpers/fakes.js';
import { manualRepoContract } from './manual-repo.contract.js';
import { tempDb } from './sqlite-temp.js';

manualRepoContract('SqliteManualRepo', () => {
  const t = tempDb();
  return { repo: new SqliteManualRepo(t.db), cleanup: t.cleanup };
});
manualRepoContract('InMemoryManualRepo (fake)', () => ({ repo: new InMemoryManualRepo() }));
