import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DynamoDbUsageRepo } from '../../src/adapters/aws/dynamodb-usage-repo.js';
import { SqliteUsageRepo } from '../../src/adapters/embedded/sqlite-usage-repo.js';
import { InMemoryUsageRepo } from '../helpers/fakes.js';
import { costLedgerContract } from './cost-ledger.contract.js';
import { onDynamo } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';

costLedgerContract('SqliteUsageRepo (usage_costs)', async () => {
  const t = tempDb();
  const repo = new SqliteUsageRepo(t.db);
  return { ledger: repo, record: (e) => repo.record(e), cleanup: t.cleanup };
});

costLedgerContract('InMemoryUsageRepo (fake)', async () => {
  const repo = new InMemoryUsageRepo();
  return { ledger: repo, record: (e) => repo.record(e) };
});

for (const emulator of ['dynalite', 'moto'] as const) {
  onDynamo(emulator, (s) => {
    costLedgerContract(`DynamoDbUsageRepo (${emulator})`, async () => {
      const repo = new DynamoDbUsageRepo(s.doc, s.table);
      return { ledger: repo, record: (e) => repo.record(e), prune: (b) => repo.prune(b) };
    });

    it(`DynamoDbUsageRepo (${emulator}): retention prunes ledger days before the cut-off month, never the month being totalled`, async () => {
      const repo = new DynamoDbUsageRepo(s.doc, s.table);
      for (const at of ['2025-01-20T10:00:00.000Z', '2025-03-01T10:00:00.000Z', '2025-03-10T10:00:00.000Z']) await repo.record({ userId: 'u', operation: 'query', at, costEur: 1 });
      assert.equal(await repo.prune('2025-03-05T00:00:00.000Z'), 2, 'two events before the cut-off');
      const m = await repo.userTotals('u', new Date('2025-03-10T12:00:00.000Z'));
      assert.deepEqual(m.month, [{ operation: 'query', count: 2, costEur: 2 }], 'March kept whole in the ledger');
      assert.deepEqual(await repo.dailyTotals('2025-01-01', '2025-01-31'), [], 'January gone');
      assert.equal((await repo.totals('u', '2000-01-01T00:00:00.000Z')).count, 1);
    });
  });
}

it('SqliteUsageRepo: an upgraded database starts its ledger from the events already logged', async () => {
  const t = tempDb();
  try {
    t.db.exec(`CREATE TABLE usage_events (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, operation TEXT NOT NULL, at TEXT NOT NULL, cost_eur REAL NOT NULL DEFAULT 0, detail TEXT);
      CREATE TABLE schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
      INSERT INTO schema_versions VALUES ('usage', 1);
      INSERT INTO usage_events (user_id, operation, at, cost_eur) VALUES ('u', 'query', '2025-03-10T08:00:00.000Z', 0.5), ('u', 'query', '2025-03-10T09:00:00.000Z', 0.25);`);
    const repo = new SqliteUsageRepo(t.db);
    const totals = await repo.userTotals('u', new Date('2025-03-10T12:00:00.000Z'));
    assert.deepEqual(totals.day, [{ operation: 'query', count: 2, costEur: 0.75 }]);
  } finally {
    t.cleanup();
  }
});

it('SqliteUsageRepo: retention prunes ledger days before the cut-off month, never the month being totalled', async () => {
  const t = tempDb();
  try {
    const repo = new SqliteUsageRepo(t.db);
    for (const at of ['2025-01-20T10:00:00.000Z', '2025-03-01T10:00:00.000Z', '2025-03-10T10:00:00.000Z']) await repo.record({ userId: 'u', operation: 'query', at, costEur: 1 });
    assert.equal(await repo.prune('2025-03-05T00:00:00.000Z'), 2, 'two events before the cut-off');
    const m = await repo.userTotals('u', new Date('2025-03-10T12:00:00.000Z'));
    assert.deepEqual(m.month, [{ operation: 'query', count: 2, costEur: 2 }], 'March kept whole in the ledger');
    assert.deepEqual(await repo.dailyTotals('2025-01-01', '2025-01-31'), [], 'January gone');
  } finally {
    t.cleanup();
  }
});
