import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LatencySketch } from '../../src/core/monitoring/latency-sketch.js';
import { emptyMinute } from '../../src/core/monitoring/minute-stats.js';
import type { MinuteStats, MinuteStatsStore } from '../../src/core/ports/minute-stats.js';

export type MinuteStatsFactory = () => Promise<{ store: MinuteStatsStore; cleanup?: () => Promise<void> | void }>;

/** 2025-03-10T12:00:00Z */
export const T0 = Date.parse('2025-03-10T12:00:00.000Z') / 1000;

export function row(minute: number, patch: Partial<MinuteStats> = {}): MinuteStats {
  return { ...emptyMinute(minute), ...patch };
}

const sketchOf = (...ms: number[]) => {
  const s = new LatencySketch();
  for (const v of ms) s.add(v);
  return s.toJSON();
};

export function minuteStatsContract(name: string, make: MinuteStatsFactory): void {
  describe(`MinuteStatsStore contract: ${name}`, () => {
    let store: MinuteStatsStore;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => ({ store, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('keeps every field of a row, and reads a range inclusive, ascending, without empty minutes', async () => {
      const full = row(T0 + 60, {
        requests: 10, errors5xx: 2, errors4xx: 3, latency: sketchOf(5, 50, 500), cacheHits: 4, cacheMisses: 2, cacheBypass: 1, answers: 7,
        pagesIngested: 12, chunksIndexed: 40, jobsQueued: 1, dlqSize: 3, queueDepth: 2, costs: { query: { eur: 0.25, count: 5 } },
        maxRequestCostEur: 0.1, activeUsers: ['u1', 'u2'],
      });
      await store.add('p1', [row(T0, { requests: 1 }), full, row(T0 + 180, { requests: 1 })]);
      const got = await store.read(T0 + 60, T0 + 180);
      assert.deepEqual(got.map((r) => r.minute), [T0 + 60, T0 + 180]);
      assert.deepEqual({ ...got[0]!, activeUsers: [...got[0]!.activeUsers].sort() }, full);
      assert.deepEqual(await store.read(T0 + 240, T0 + 600), []);
    });

    it('adds to what the same process wrote for a minute; a later gauge sample replaces an earlier one', async () => {
      await store.add('p1', [row(T0, { requests: 3, latency: sketchOf(10, 10), queueDepth: 5, costs: { query: { eur: 0.1, count: 1 } } })]);
      await store.add('p1', [row(T0, { requests: 2, latency: sketchOf(10, 900), queueDepth: 1, costs: { query: { eur: 0.2, count: 2 } }, activeUsers: ['u'] })]);
      const [r] = await store.read(T0, T0);
      assert.equal(r!.requests, 5);
      assert.equal(LatencySketch.from(r!.latency).count, 4);
      assert.equal(r!.queueDepth, 1);
      assert.ok(Math.abs(r!.costs.query!.eur - 0.3) < 1e-9);
      assert.equal(r!.costs.query!.count, 3);
      assert.deepEqual(r!.activeUsers, ['u']);
    });

    it('merges the rows of several processes on read: counts add, latency buckets merge, gauges take the largest', async () => {
      await store.add('p1', [row(T0, { requests: 4, errors5xx: 1, latency: sketchOf(10, 10, 10, 10), dlqSize: 2, maxRequestCostEur: 0.2, activeUsers: ['a'] })]);
      await store.add('p2', [row(T0, { requests: 6, errors5xx: 2, latency: sketchOf(1000, 1000, 1000, 1000, 1000, 1000), dlqSize: null, maxRequestCostEur: 0.7, activeUsers: ['a', 'b'] })]);
      const [r] = await store.read(T0, T0);
      assert.equal(r!.requests, 10);
      assert.equal(r!.errors5xx, 3);
      const p95 = LatencySketch.from(r!.latency).quantile(0.95)!;
      assert.ok(Math.abs(p95 - 1000) / 1000 < 0.02, `p95 ${p95}`);
      assert.equal(LatencySketch.from(r!.latency).quantile(0.1)! < 11, true);
      assert.equal(r!.dlqSize, 2);
      assert.equal(r!.maxRequestCostEur, 0.7);
      assert.deepEqual([...r!.activeUsers].sort(), ['a', 'b']);
    });

    it('sums cost per UTC day and operation over a range', async () => {
      const dayBefore = T0 - 86_400;
      await store.add('p1', [
        row(dayBefore, { costs: { query: { eur: 1, count: 2 } } }),
        row(T0, { costs: { query: { eur: 0.5, count: 1 }, transcribe: { eur: 0.25, count: 1 } } }),
      ]);
      await store.add('p2', [row(T0 + 60, { costs: { query: { eur: 0.5, count: 3 } } })]);
      assert.deepEqual(await store.costByDay(dayBefore, T0 + 60), [
        { day: '2025-03-09', operation: 'query', eur: 1, count: 2 },
        { day: '2025-03-10', operation: 'query', eur: 1, count: 4 },
        { day: '2025-03-10', operation: 'transcribe', eur: 0.25, count: 1 },
      ]);
      assert.deepEqual(await store.costByDay(T0, T0 + 60), [
        { day: '2025-03-10', operation: 'query', eur: 1, count: 4 },
        { day: '2025-03-10', operation: 'transcribe', eur: 0.25, count: 1 },
      ]);
    });

    it('prunes minutes before a limit, of every process', async () => {
      await store.add('p1', [row(T0 - 120, { requests: 1 }), row(T0, { requests: 1 })]);
      await store.add('p2', [row(T0 - 60, { requests: 1 })]);
      assert.equal(await store.prune(T0), 2);
      assert.deepEqual((await store.read(0, T0 * 2)).map((r) => r.minute), [T0]);
    });
  });
}
