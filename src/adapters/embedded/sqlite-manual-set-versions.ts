import type { ManualSetVersions } from '../../core/ports/manual-set-versions.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

/**
 * Versions in the database file: every process on the same data dir sees another's bumps (an ingest
 * finished by process B invalidates process A's in-memory answers). One primary-key lookup per owner.
 */
export class SqliteManualSetVersions implements ManualSetVersions {
  private readonly select;
  private readonly incr;

  constructor(db: SqliteDb) {
    migrate(db, 'manual-set-versions', [
      'CREATE TABLE IF NOT EXISTS manual_set_versions (owner_id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID',
    ]);
    this.select = db.prepare('SELECT version FROM manual_set_versions WHERE owner_id = ?').pluck();
    this.incr = db.prepare(
      'INSERT INTO manual_set_versions (owner_id, version) VALUES (?, 1) ON CONFLICT (owner_id) DO UPDATE SET version = version + 1',
    );
  }

  async read(owners: readonly string[]): Promise<number[]> {
    return owners.map((o) => (this.select.get(o) as number | undefined) ?? 0);
  }

  async bump(owner: string): Promise<void> {
    this.incr.run(owner);
  }
}
