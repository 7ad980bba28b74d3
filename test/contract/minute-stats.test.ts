import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SqliteAlarmStates } from '../../src/adapters/embedded/sqlite-alarm-states.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteMinuteStats } from '../../src/adapters/embedded/sqlite-minute-stats.js';
import { MemoryAlarmStates, MemoryMinuteStats } from '../helpers/monitoring-fakes.js';
import { alarmStatesContract } from './alarm-states.contract.js';
import { minuteStatsContract, row, T0 } from './minute-stats.contract.js';
import { tempDb } from './sqlite-temp.js';

minuteStatsContract('SqliteMinuteStats', async () => {
  const t = tempDb();
  return { store: new SqliteMinuteStats(t.db), cleanup: t.cleanup };
});
minuteStatsContract('MemoryMinuteStats (fake)', async () => ({ store: new MemoryMinuteStats() }));

alarmStatesContract('SqliteAlarmStates', async () => {
  const t = tempDb();
  return { states: new SqliteAlarmStates(t.db), cleanup: t.cleanup };
});
alarmStatesContract('MemoryAlarmStates (fake)', async () => ({ states: new MemoryAlarmStates() }));

it('SqliteMinuteStats: rows survive closing the file, and two connections (processes) merge on read', async () => {
  const t = tempDb();
  try {
    await new SqliteMinuteStats(t.db).add('p1', [row(T0, { requests: 5, errors5xx: 1 })]);
    t.db.close();
    const a = openDatabase(t.file);
    const b = openDatabase(t.file);
    try {
      await new SqliteMinuteStats(b).add('p2', [row(T0, { requests: 2 })]);
      const [r] = await new SqliteMinuteStats(a).read(T0, T0);
      assert.equal(r!.requests, 7);
      assert.equal(r!.errors5xx, 1);
    } finally {
      a.close();
      b.close();
    }
  } finally {
    t.cleanup();
  }
});

it('SqliteAlarmStates: of two connections racing the same transition, exactly one wins', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const a = new SqliteAlarmStates(t.db);
    const b = new SqliteAlarmStates(other);
    const next = { name: 'ErrorRateThreshold', state: 'alarm' as const, since: 'now', value: 50 };
    const won = await Promise.all([a.transition(null, next), b.transition(null, next), a.transition(null, next)]);
    assert.equal(won.filter(Boolean).length, 1);
  } finally {
    other.close();
    t.cleanup();
  }
});
