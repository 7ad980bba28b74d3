import { SqliteErrorTracker } from '../../src/adapters/embedded/sqlite-error-tracker.js';
import { errorTrackerContract } from './error-tracker.contract.js';
import { tempDb } from './sqlite-temp.js';

errorTrackerContract('SqliteErrorTracker', () => {
  const t = tempDb();
  return { tracker: new SqliteErrorTracker(t.db), breakStore: () => t.db.exec('DROP TABLE error_records'), cleanup: t.cleanup };
});
