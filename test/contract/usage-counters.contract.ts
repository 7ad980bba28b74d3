import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { UsageCounters } from '../../src/core/ports/usage-counters.js';

export type CountersFactory = () => Promise<{ counters: UsageCounters; cleanup?: () => Promise<void> | void }>;

const at = (iso: string) => new Date(iso);
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export function usageCountersContract(name: string, make: CountersFactory): void {
  describe(`UsageCounters contract: ${name}`, () => {
    let counters: UsageCounters;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => ({ counters, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('counts per user, per UTC day and month, with costs', async () => {
      const t = at('2025-03-10T23:59:59.000Z');
      assert.deepEqual(await counters.read('a', t), { day: { count: 0, costEur: 0 }, month: { count: 0, costEur: 0 } });
      const r = await counters.checkAndCount('a', { daily: 5, monthly: 10 }, t, 0.25);
      assert.equal(r.allowed, true);
      assert.equal(r.day.count, 1);
      await counters.add('a', t, { count: 1, costEur: 0.5 });
      await counters.add('b', t, { count: 1, costEur: 9 });
      const now = await counters.read('a', t);
      assert.equal(now.day.count, 2);
      assert.equal(now.month.count, 2);
      assert.ok(close(now.day.costEur, 0.75) && close(now.month.costEur, 0.75));
      // Next day: the day starts again, the month goes on.
      const next = await counters.read('a', at('2025-03-11T00:00:00.000Z'));
      assert.equal(next.day.count, 0);
      assert.equal(next.month.count, 2);
      const after = await counters.checkAndCount('a', { daily: 5, monthly: 10 }, at('2025-03-11T08:00:00.000Z'));
      assert.deepEqual([after.day.count, after.month.count], [1, 3]);
      // Next month: both start again.
      assert.equal((await counters.read('a', at('2025-04-01T00:00:00.000Z'))).month.count, 0);
    });

    it('refuses at a limit without counting, on the day or the month; 0 means no limit', async () => {
      const t = at('2025-03-10T12:00:00.000Z');
      for (let i = 0; i < 2; i++) assert.equal((await counters.checkAndCount('a', { daily: 2, monthly: 0 }, t)).allowed, true);
      const refused = await counters.checkAndCount('a', { daily: 2, monthly: 0 }, t);
      assert.equal(refused.allowed, false);
      assert.equal(refused.day.count, 2);
      assert.equal((await counters.checkAndCount('a', { daily: 0, monthly: 2 }, t)).allowed, false, 'month limit');
      assert.equal((await counters.checkAndCount('a', { daily: 0, monthly: 0 }, t)).allowed, true, 'no limits');
      assert.equal((await counters.read('a', t)).day.count, 3);
    });

    it('gives a count back with add(-1), cost adds without counting', async () => {
      const t = at('2025-03-10T12:00:00.000Z');
      await counters.checkAndCount('a', { daily: 1, monthly: 0 }, t);
      await counters.add('a', t, { count: -1, costEur: 0 });
      assert.equal((await counters.checkAndCount('a', { daily: 1, monthly: 0 }, t)).allowed, true);
      const r = await counters.add('a', t, { count: 0, costEur: 0.002 });
      assert.equal(r.day.count, 1);
      assert.ok(close(r.day.costEur, 0.002));
    });

    it('is exact under concurrency: 64 parallel checks with 10 left let exactly 10 through', async () => {
      const t = at('2025-03-10T12:00:00.000Z');
      await counters.add('a', t, { count: 5, costEur: 0 });
      const results = await Promise.all(Array.from({ length: 64 }, () => counters.checkAndCount('a', { daily: 15, monthly: 100 }, t)));
      assert.equal(results.filter((r) => r.allowed).length, 10);
      assert.equal((await counters.read('a', t)).day.count, 15);
    });
  });
}
