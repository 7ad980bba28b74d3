import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDb } from '../../src/adapters/embedded/sqlite-db.js';

/** A fresh SQLite file in its own temp dir (WAL needs a real file, not :memory:). */
export function tempDb(): { db: SqliteDb; dir: string; file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-'));
  const file = join(dir, 'manuel.db');
  const db = openDatabase(file);
  return {
    db,
    dir,
    file,
    cleanup: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
