import type { SqliteDb } from './sqlite-db.js';

/**
 * Versioned schema per component (users, manuals, jobs, ...) in one shared table, so a later release
 * can ALTER a table without every repo re-running its whole DDL. Runs under BEGIN IMMEDIATE: two
 * processes opening the same file at once (server + CLI) cannot both apply the same step.
 */
export function migrate(db: SqliteDb, component: string, steps: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as { version: number } | undefined;
    const current = row?.version ?? 0;
    for (let v = current; v < steps.length; v++) db.exec(steps[v]!);
    if (current < steps.length) {
      db.prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version').run(
        component,
        steps.length,
      );
    }
  }).immediate();
}

/** `owner_id IN (?, ?, ...)` for a visibility list; an empty list matches nothing. */
export function ownerFilter(column: string, owners: readonly string[]): { sql: string; params: string[] } {
  if (owners.length === 0) return { sql: '0', params: [] };
  return { sql: `${column} IN (${owners.map(() => '?').join(', ')})`, params: [...owners] };
}
