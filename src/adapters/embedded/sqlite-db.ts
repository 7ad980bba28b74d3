import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDb = Database.Database;

/**
 * One SQLite file for tables, the job queue and the search index. WAL lets readers run while the
 * ingestion worker writes; busy_timeout covers the CLI or a second process touching the same file.
 */
export function openDatabase(file: string): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A write refused by a UNIQUE / PRIMARY KEY (or other) constraint: the row already exists. */
export const constraintViolated = (e: unknown): boolean => (e as { code?: string } | null)?.code?.startsWith('SQLITE_CONSTRAINT') ?? false;
