import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { UsageEvent } from '../../src/core/model/types.js';
import type { CostLedger, CostLine } from '../../src/core/ports/cost-ledger.js';

/** The ledger is written by recording usage events (the usage store keeps it), and read through the port. */
export type CostLedgerFactory = () => Promise<{ ledger: CostLedger; record(e: UsageEvent): Promise<void>; prune?(beforeIso: string): Promise<number>; cleanup?: () => void }>;

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const byOp = (lines: CostLine[]) => Object.fromEntries(lines.map((l) => [l.operation, { count: l.count, cost: Math.round(l.costEur * 1e9) / 1e9 }]));

export function costLedgerContract(name: string, make: CostLedgerFactory): void {
  describe(`CostLedger contract: ${name}`, () => {
    let s: Awaited<ReturnType<CostLedgerFactory>>;
    beforeEach(async () => (s = await make()));
    afterEach(() => s.cleanup?.());

    it('totals a user per operation for the UTC day and the UTC month, apart from other users', async () => {
      const ev = (userId: string, operation: UsageEvent['operation'], at: string, costEur: number) => s.record({ userId, operation, at, costEur });
      await ev('alice', 'query', '2025-03-09T23:59:59.999Z', 1);
      await ev('alice', 'query', '2025-03-10T00:00:00.000Z', 0.25);
      await ev('alice', 'query', '2025-03-10T18:30:00.000Z', 0.25);
      await ev('alice', 'transcribe', '2025-03-10T08:00:00.000Z', 0.012);
      await ev('alice', 'upload', '2025-03-10T09:00:00.000Z', 0);
      await ev('alice', 'query', '2025-02-28T12:00:00.000Z', 5); // last month
      await ev('bob', 'query', '2025-03-10T09:00:00.000Z', 9);
      const t = await s.ledger.userTotals('alice', new Date('2025-03-10T23:00:00.000Z'));
      assert.deepEqual(byOp(t.day), { query: { count: 2, cost: 0.5 }, transcribe: { count: 1, cost: 0.012 }, upload: { count: 1, cost: 0 } });
      assert.deepEqual(byOp(t.month), { query: { count: 3, cost: 1.5 }, transcribe: { count: 1, cost: 0.012 }, upload: { count: 1, cost: 0 } });
      assert.deepEqual(t.day.map((l) => l.operation), ['query', 'transcribe', 'upload'], 'ordered by operation');
      const nobody = await s.ledger.userTotals('carol', new Date('2025-03-10T23:00:00.000Z'));
      assert.deepEqual(nobody, { day: [], month: [] });
      // The next UTC day starts from nothing; the month goes on.
      const next = await s.ledger.userTotals('alice', new Date('2025-03-11T00:00:00.000Z'));
      assert.deepEqual(next.day, []);
      assert.equal(byOp(next.month).query?.count, 3);
    });

    it('gives every user’s totals per day and operation over a range of days, inclusive (the admin view)', async () => {
      await s.record({ userId: 'a', operation: 'query', at: '2025-03-09T10:00:00.000Z', costEur: 0.1 });
      await s.record({ userId: 'a', operation: 'query', at: '2025-03-10T10:00:00.000Z', costEur: 0.2 });
      await s.record({ userId: 'b', operation: 'query', at: '2025-03-10T11:00:00.000Z', costEur: 0.3 });
      await s.record({ userId: 'b', operation: 'transcribe', at: '2025-03-10T11:00:00.000Z', costEur: 0.05 });
      await s.record({ userId: 'b', operation: 'query', at: '2025-03-12T11:00:00.000Z', costEur: 7 });
      const days = await s.ledger.dailyTotals('2025-03-09', '2025-03-10');
      assert.deepEqual(
        days.map((d) => [d.day, d.operation, d.count, Math.round(d.costEur * 1e9) / 1e9]),
        [
          ['2025-03-09', 'query', 1, 0.1],
          ['2025-03-10', 'query', 2, 0.5],
          ['2025-03-10', 'transcribe', 1, 0.05],
        ],
      );
      assert.deepEqual(await s.ledger.dailyTotals('2025-03-13', '2025-03-20'), []);
    });

    it('misses nothing when many requests record at once', async () => {
      await Promise.all(Array.from({ length: 64 }, (_, i) => s.record({ userId: 'u', operation: i % 4 ? 'query' : 'transcribe', at: '2025-03-10T12:00:00.000Z', costEur: 0.01 })));
      const t = await s.ledger.userTotals('u', new Date('2025-03-10T12:00:00.000Z'));
      assert.deepEqual(t.day.map((l) => [l.operation, l.count]), [['query', 48], ['transcribe', 16]]);
      assert.ok(near(t.day.reduce((n, l) => n + l.costEur, 0), 0.64));
    });
  });
}
