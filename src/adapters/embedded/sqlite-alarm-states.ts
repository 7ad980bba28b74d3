import type { AlarmRecord, AlarmState, AlarmStateStore } from '../../core/ports/alarm-states.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

/** Alarm states in the data dir: a transition is one conditional write, so one process wins it. */
export class SqliteAlarmStates implements AlarmStateStore {
  constructor(private readonly db: SqliteDb) {
    migrate(db, 'alarm_states', [
      `CREATE TABLE IF NOT EXISTS alarm_states (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        since TEXT NOT NULL,
        value REAL
      );`,
    ]);
  }

  async list(): Promise<AlarmRecord[]> {
    return this.db.prepare('SELECT name, state, since, value FROM alarm_states ORDER BY name').all() as AlarmRecord[];
  }

  async transition(from: AlarmState | null, next: AlarmRecord): Promise<boolean> {
    const r =
      from === null
        ? this.db.prepare('INSERT INTO alarm_states (name, state, since, value) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING').run(next.name, next.state, next.since, next.value)
        : this.db.prepare('UPDATE alarm_states SET state = ?, since = ?, value = ? WHERE name = ? AND state = ?').run(next.state, next.since, next.value, next.name, from);
    return r.changes === 1;
  }
}
