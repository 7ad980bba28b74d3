import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { UsageRepo } from '../../src/core/ports/usage-repo.js';

export function usageRepoContract(name: string, make: () => { repo: UsageRepo; cleanup?: () => void }): void {
  describe(`UsageRepo contract: ${name}`, () => {
    let repo: UsageRepo;
    let cleanup: (() => void) | undefined;
    beforeEach(() => ({ repo, cleanup } = make()));
    afterEach(() => cleanup?.());

    it('records made at once are all stored, each acknowledged once it is (group commit)', async () => {
      await Promise.all(Array.from({ length: 50 }, (_, i) => repo.record({ userId: 'c', operation: 'query', at: `2025-03-10T10:00:${String(i).padStart(2, '0')}.000Z`, costEur: 0.5 })));
      const t = await repo.totals('c', '2025-03-10T00:00:00.000Z');
      assert.equal(t.count, 50);
      assert.ok(Math.abs(t.costEur - 25) < 1e-9);
    });

    it('totals count and cost per user since a time, inclusive, with a per-operation breakdown', async () => {
      await repo.record({ userId: 'a', operation: 'query', at: '2025-03-09T23:59:59.999Z', costEur: 1 });
      await repo.record({ userId: 'a', operation: 'query', at: '2025-03-10T00:00:00.000Z', costEur: 0.25 });
      await repo.record({ userId: 'a', operation: 'transcribe', at: '2025-03-10T08:00:00.000Z', costEur: 0.5, detail: { audio_seconds: 12 } });
      await repo.record({ userId: 'b', operation: 'query', at: '2025-03-10T09:00:00.000Z', costEur: 9 });
      const t = await repo.totals('a', '2025-03-10T00:00:00.000Z');
      assert.equal(t.count, 2);
      assert.ok(Math.abs(t.costEur - 0.75) < 1e-9);
      assert.deepEqual(t.byOperation, { query: 1, transcribe: 1 });
      const q = await repo.totals('a', '2025-03-01T00:00:00.000Z', 'query');
      assert.equal(q.count, 2);
      assert.deepEqual(q.byOperation, { query: 2 });
      assert.deepEqual(await repo.totals('nobody', '2025-01-01T00:00:00.000Z'), { count: 0, costEur: 0, byOperation: {} });
    });

    it('compares times chronologically whatever ISO form they were given in', async () => {
      await repo.record({ userId: 'a', operation: 'query', at: '2025-03-10T01:00:00+02:00', costEur: 0 }); // 2025-03-09T23:00Z
      assert.equal((await repo.totals('a', '2025-03-10T00:00:00.000Z')).count, 0);
      assert.equal((await repo.totals('a', '2025-03-09T22:59:00.000Z')).count, 1);
    });

    it('gives a user\'s history in a range, oldest first, since inclusive and until exclusive', async () => {
      await repo.record({ userId: 'a', operation: 'query', at: '2025-03-10T02:00:00.000Z', costEur: 0.5, detail: { n: 2 } });
      await repo.record({ userId: 'a', operation: 'upload', at: '2025-03-10T01:00:00.000Z', costEur: 0 });
      await repo.record({ userId: 'a', operation: 'query', at: '2025-03-10T03:00:00.000Z', costEur: 0 });
      await repo.record({ userId: 'b', operation: 'query', at: '2025-03-10T02:00:00.000Z', costEur: 0 });
      const h = await repo.history('a', '2025-03-10T01:00:00.000Z', '2025-03-10T03:00:00.000Z');
      assert.deepEqual(h, [
        { userId: 'a', operation: 'upload', at: '2025-03-10T01:00:00.000Z', costEur: 0 },
        { userId: 'a', operation: 'query', at: '2025-03-10T02:00:00.000Z', costEur: 0.5, detail: { n: 2 } },
      ]);
      assert.deepEqual(await repo.history('nobody', '1970-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z'), []);
    });

    it('lists recent events newest first, for that user only, with their detail', async () => {
      for (let i = 0; i < 5; i++) await repo.record({ userId: 'a', operation: 'query', at: `2025-03-10T0${i}:00:00.000Z`, costEur: i, detail: { i } });
      await repo.record({ userId: 'b', operation: 'query', at: '2025-03-10T09:00:00.000Z', costEur: 0 });
      const r = await repo.recent('a', 3);
      assert.deepEqual(r.map((e) => e.detail?.i), [4, 3, 2]);
      assert.equal(r[0]?.userId, 'a');
      assert.equal(r[0]?.at, '2025-03-10T04:00:00.000Z');
    });

    it('prunes events older than a time, for every user, and says how many', async () => {
      await repo.record({ userId: 'a', operation: 'query', at: '2024-01-01T00:00:00.000Z', costEur: 0 });
      await repo.record({ userId: 'b', operation: 'upload', at: '2024-06-01T00:00:00.000Z', costEur: 0 });
      await repo.record({ userId: 'a', operation: 'query', at: '2025-03-10T00:00:00.000Z', costEur: 0 });
      assert.equal(await repo.prune('2025-03-10T00:00:00.000Z'), 2);
      assert.equal((await repo.totals('a', '2000-01-01T00:00:00.000Z')).count, 1);
      assert.equal((await repo.recent('b', 10)).length, 0);
    });
  });
}
