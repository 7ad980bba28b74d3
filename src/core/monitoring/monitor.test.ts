import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, MemoryLogger } from '../../../test/helpers/fakes.js';
import { MemoryAlarmStates, MemoryMinuteStats, RecordingNotifier } from '../../../test/helpers/monitoring-fakes.js';
import { MemoryUsageCounters } from '../../adapters/embedded/memory-usage-counters.js';
import { parseParameters } from '../../config/parameters.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { ErrorRecord } from '../ports/error-tracker.js';
import type { MinuteStatsStore } from '../ports/minute-stats.js';
import { Monitor, type MonitorDeps } from './monitor.js';

const T0 = Date.parse('2025-03-10T12:00:00.000Z');
const MIN = 60_000;

interface Rig {
  clock: ManualClock;
  notifier: RecordingNotifier;
  monitor: Monitor;
  deps: MonitorDeps;
  ops: { notifier: RecordingNotifier; costs?: CostLedger; errors?: { list(): Promise<ErrorRecord[]> }; deadLetters?: { size(): Promise<number> } };
}

/** A monitor over in-memory stores with a clock the test moves; `share` reuses another rig's stores (a restart, a second process). */
function rig(parameters: Record<string, unknown> = {}, share?: Rig): Rig {
  const clock = share?.clock ?? new ManualClock(T0 + 10_000);
  const notifier = share?.notifier ?? new RecordingNotifier();
  const ops: Rig['ops'] = share?.ops ?? { notifier };
  const deps: MonitorDeps = share
    ? { ...share.deps }
    : {
        stats: new MemoryMinuteStats(),
        alarmStates: new MemoryAlarmStates(),
        counters: new MemoryUsageCounters(),
        backlog: { queued: async () => 2, inProgress: async () => 1, embeddingBacklog: async () => 0 },
        parameters: parseParameters(parameters),
        ops: () => ops as ReturnType<MonitorDeps['ops']>,
        clock,
        logger: new MemoryLogger(),
      };
  return { clock, notifier, deps, ops, monitor: new Monitor(deps, { source: `p${Math.random()}` }) };
}

const burst = (m: Monitor, ok: number, failed: number, ms = 20) => {
  for (let i = 0; i < ok; i++) m.minutes.request(200, ms);
  for (let i = 0; i < failed; i++) m.minutes.request(500, ms);
};
const alarm = async (r: Rig, name: string) => (await r.monitor.alarms()).find((a) => a.name === name);

describe('alarms, evaluated once a minute from the per-minute aggregates', () => {
  it('a 5xx burst raises ErrorRateThreshold once, and clears it when the 5-minute window has passed', async () => {
    const r = rig();
    burst(r.monitor, 20, 10);
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.deepEqual(r.notifier.alarms(), ['ErrorRateThreshold:alarm']);
    const raised = r.notifier.events[0]!;
    assert.equal(raised.severity, 'critical');
    assert.match(raised.title, /ALARM ErrorRateThreshold: 5xx rate 33\.33 % over 5 min \(10 of 30 requests; threshold 5 %\)/);
    assert.deepEqual(await alarm(r, 'ErrorRateThreshold'), {
      name: 'ErrorRateThreshold', state: 'alarm', value: 33.33, threshold: 5, unit: '%', since: new Date(T0 + 70_000).toISOString(),
    });

    for (let i = 0; i < 3; i++) {
      r.clock.advance(MIN);
      await r.monitor.tick();
    }
    assert.deepEqual(r.notifier.alarms(), ['ErrorRateThreshold:alarm'], 'still in the window: not raised again');

    r.clock.advance(3 * MIN); // the burst's minute leaves the window
    await r.monitor.tick();
    assert.deepEqual(r.notifier.alarms(), ['ErrorRateThreshold:alarm', 'ErrorRateThreshold:ok']);
    assert.match(r.notifier.events[1]!.title, /^OK ErrorRateThreshold cleared/);
    assert.notEqual(r.notifier.events[0]!.fingerprint, r.notifier.events[1]!.fingerprint, 'the clear is never folded into the start');
    assert.equal((await alarm(r, 'ErrorRateThreshold'))!.state, 'insufficient_data');
  });

  it('clears when the errors stop and traffic goes on', async () => {
    const r = rig();
    burst(r.monitor, 0, 25);
    r.clock.advance(MIN);
    await r.monitor.tick();
    for (let i = 0; i < 5; i++) {
      burst(r.monitor, 200, 0);
      r.clock.advance(MIN);
      await r.monitor.tick();
    }
    assert.deepEqual(r.notifier.alarms(), ['ErrorRateThreshold:alarm', 'ErrorRateThreshold:ok']);
    assert.equal((await alarm(r, 'ErrorRateThreshold'))!.state, 'ok');
  });

  it('needs a minimum of requests: one error in two requests is not a 50 % error rate', async () => {
    const r = rig();
    burst(r.monitor, 1, 1);
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.deepEqual(r.notifier.alarms(), []);
    assert.deepEqual(await alarm(r, 'ErrorRateThreshold'), {
      name: 'ErrorRateThreshold', state: 'insufficient_data', value: null, threshold: 5, unit: '%', since: new Date(T0 + 70_000).toISOString(),
    });
  });

  it('LatencyThreshold: p95 over 5 minutes, to 2 %', async () => {
    const r = rig({ LatencyThreshold: 2000 });
    burst(r.monitor, 10, 0, 30);
    r.clock.advance(MIN);
    burst(r.monitor, 20, 0, 2600);
    r.clock.advance(MIN);
    await r.monitor.tick();
    const a = (await alarm(r, 'LatencyThreshold'))!;
    assert.equal(a.state, 'alarm');
    assert.ok(Math.abs(a.value! - 2600) / 2600 <= 0.02, `p95 ${a.value}`);
    assert.deepEqual(r.notifier.alarms(), ['LatencyThreshold:alarm']);
  });

  it('a restart does not raise an alarm again, and two processes on one store raise it once', async () => {
    const first = rig();
    burst(first.monitor, 10, 20);
    first.clock.advance(MIN);
    await first.monitor.tick();
    const since = (await alarm(first, 'ErrorRateThreshold'))!.since;

    const restarted = rig({}, first); // same stores and notifier, new process
    restarted.clock.advance(MIN);
    await restarted.monitor.tick();
    assert.deepEqual(first.notifier.alarms(), ['ErrorRateThreshold:alarm']);
    assert.equal((await alarm(restarted, 'ErrorRateThreshold'))!.since, since);

    // Two processes see the latency go up in the same minute, and evaluate at the same time: one notification.
    const a = rig({ LatencyThreshold: 100 });
    const b = rig({}, a);
    burst(a.monitor, 25, 0, 500);
    burst(b.monitor, 25, 0, 500);
    a.clock.advance(MIN);
    await Promise.all([a.monitor.tick(), b.monitor.tick()]);
    assert.deepEqual(a.notifier.alarms(), ['LatencyThreshold:alarm']);
    assert.equal((await a.deps.stats.read(0, Infinity))[0]!.requests, 50, 'both processes wrote their minute');
  });

  it('DailyCostThreshold reads the cost ledger, and falls back to its own cost aggregates', async () => {
    const withLedger = rig({ DailyCostThreshold: 10 });
    withLedger.ops.costs = {
      userTotals: async () => ({ day: [], month: [] }),
      dailyTotals: async (from, to) => (from === '2025-03-10' && to === '2025-03-10' ? [{ day: from, operation: 'query', count: 300, costEur: 12.5 }] : []),
    };
    withLedger.clock.advance(MIN);
    await withLedger.monitor.tick();
    assert.deepEqual(await alarm(withLedger, 'DailyCostThreshold'), {
      name: 'DailyCostThreshold', state: 'alarm', value: 12.5, threshold: 10, unit: 'EUR', since: new Date(T0 + 70_000).toISOString(),
    });

    const own = rig({ DailyCostThreshold: 10 });
    own.monitor.minutes.usage('query', 6, 'u1');
    own.clock.advance(MIN);
    await own.monitor.tick();
    assert.equal((await alarm(own, 'DailyCostThreshold'))!.state, 'ok');
    own.monitor.minutes.usage('transcribe', 4.5, 'u2');
    own.clock.advance(MIN);
    await own.monitor.tick();
    assert.equal((await alarm(own, 'DailyCostThreshold'))!.value, 10.5);
    assert.deepEqual(own.notifier.alarms(), ['DailyCostThreshold:alarm']);
  });

  it('RequestCostThreshold: one request over it raises the alarm, which clears after the window', async () => {
    const r = rig({ RequestCostThreshold: 0.5 });
    r.monitor.minutes.request(200, 30, 0.2);
    r.monitor.minutes.request(200, 30, 0.8);
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.equal((await alarm(r, 'RequestCostThreshold'))!.value, 0.8);
    r.clock.advance(5 * MIN);
    await r.monitor.tick();
    assert.deepEqual(r.notifier.alarms(), ['RequestCostThreshold:alarm', 'RequestCostThreshold:ok']);
  });

  it("QuotaUsageThreshold: an active user's share of the daily or monthly quota", async () => {
    const r = rig({ DailyQuotaLimit: 10, MonthlyQuotaLimit: 1000, QuotaUsageThreshold: 80 });
    const now = r.clock.now();
    const counters = r.deps.counters as MemoryUsageCounters;
    await counters.add('u1', now, { count: 9, costEur: 0 });
    await counters.add('u2', now, { count: 1, costEur: 0 });
    r.monitor.minutes.usage('query', 0, 'u2');
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.equal((await alarm(r, 'QuotaUsageThreshold'))!.state, 'ok', 'u1 is over but not active');
    r.monitor.minutes.usage('query', 0, 'u1');
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.equal((await alarm(r, 'QuotaUsageThreshold'))!.value, 90);
    const raised = r.notifier.events.find((e) => e.fields?.alarm === 'QuotaUsageThreshold')!;
    assert.equal(raised.fields!.top_user_id, 'u1');
    assert.equal(raised.fields!.users_over, 1);
    assert.equal(raised.fields!.active_users, 2);
  });

  it('a threshold of 0 turns that alarm off', async () => {
    const r = rig({ ErrorRateThreshold: 0, DailyCostThreshold: 0 });
    burst(r.monitor, 0, 50);
    r.clock.advance(MIN);
    await r.monitor.tick();
    const names = (await r.monitor.alarms()).map((a) => a.name);
    assert.ok(!names.includes('ErrorRateThreshold') && !names.includes('DailyCostThreshold'));
    assert.ok(names.includes('LatencyThreshold'));
    assert.deepEqual(r.notifier.alarms(), []);
  });
});

describe('per-minute aggregates: flush, failure, shutdown, dashboard', () => {
  it('a failed write keeps the minute for the next tick; stop() writes the current minute too', async () => {
    const r = rig();
    const store = r.deps.stats as MinuteStatsStore;
    const add = store.add.bind(store);
    let failures = 1;
    store.add = async (source, rows) => (failures-- > 0 ? Promise.reject(new Error('disk full')) : add(source, rows));
    burst(r.monitor, 5, 0);
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.deepEqual(await store.read(0, Infinity), []);
    burst(r.monitor, 2, 0);
    r.clock.advance(MIN);
    await r.monitor.tick();
    assert.deepEqual((await store.read(0, Infinity)).map((m) => m.requests), [5, 2]);
    burst(r.monitor, 1, 0);
    await r.monitor.stop();
    assert.deepEqual((await store.read(0, Infinity)).map((m) => m.requests), [5, 2, 1]);
    assert.deepEqual(r.monitor.minutes.pending(), []);
  });

  it('the dashboard: one point per minute, the current minute live, hit rate, cost per day, errors, DLQ, queue', async () => {
    const r = rig();
    r.ops.errors = { list: async () => [{ fingerprint: 'f', error_type: 'internal_error', message: 'boom', where: 'GET /api/manuals', severity: 'critical', count: 3, first_seen: 'a', last_seen: 'b', sample_request_id: null }] };
    r.ops.deadLetters = { size: async () => 4 };
    burst(r.monitor, 8, 2, 40);
    r.monitor.minutes.answer('hit');
    r.monitor.minutes.answer('hit');
    r.monitor.minutes.answer('miss');
    r.monitor.minutes.usage('query', 0.03, 'u');
    r.clock.advance(2 * MIN);
    await r.monitor.tick();
    r.monitor.minutes.request(404, 5);
    r.monitor.minutes.answer('bypass');
    r.monitor.minutes.usage('query', 0.01, 'u');

    const d = await r.monitor.dashboard(4);
    const t0 = T0 / 1000;
    assert.deepEqual(d.series.t, [t0 - 60, t0, t0 + 60, t0 + 120]);
    assert.deepEqual(d.series.requests, [0, 10, 0, 1]);
    assert.deepEqual(d.series.errors_5xx, [0, 2, 0, 0]);
    assert.deepEqual(d.series.errors_4xx, [0, 0, 0, 1]);
    assert.deepEqual(d.series.p50_ms.map((v) => v !== null), [false, true, false, true]);
    assert.ok(Math.abs(d.series.p95_ms[1]! - 40) / 40 <= 0.02);
    assert.deepEqual(d.series.dlq_size, [null, null, 4, null], 'sampled at the end of the minute before the tick');
    assert.deepEqual(d.series.queue_depth, [null, null, 2, null]);
    assert.equal(d.cache_hit_rate, 0.5);
    assert.deepEqual(d.cost_by_day, [{ day: '2025-03-10', operation: 'query', eur: 0.04, count: 2 }]);
    assert.equal(d.top_errors.length, 1);
    assert.equal(d.dlq_size, 4);
    assert.equal(d.queue_depth, 2);
    assert.equal(d.window_minutes, 4);
    assert.ok(d.alarms.some((a) => a.name === 'ErrorRateThreshold'));
    for (const series of Object.values(d.series)) assert.equal(series.length, 4);
  });
});

describe('flushNow: a Lambda container writes what it holds before it is frozen', () => {
  it('writes the current minute too, keeps counting, and a minute written in parts reads as one', async () => {
    const r = rig();
    burst(r.monitor, 3, 1);
    await r.monitor.flushNow();
    assert.deepEqual(r.monitor.minutes.pending(), [], 'nothing held after the flush');
    burst(r.monitor, 2, 0);
    await r.monitor.flushNow();
    const minute = Math.floor((T0 + 10_000) / MIN) * 60;
    const rows = (await r.deps.stats.read(minute, minute)).filter((x) => x.minute === minute);
    assert.equal(rows.reduce((s, x) => s + x.requests, 0), 6);
    assert.equal(rows.reduce((s, x) => s + x.errors5xx, 0), 1);
  });

  it('a failed write keeps the rows for the next invocation and does not throw', async () => {
    const r = rig();
    const stats = r.deps.stats as MinuteStatsStore;
    const add = stats.add.bind(stats);
    let fail = true;
    stats.add = async (source, rows) => {
      if (fail) throw new Error('ProvisionedThroughputExceeded');
      return add(source, rows);
    };
    burst(r.monitor, 4, 0);
    await r.monitor.flushNow();
    assert.equal(r.monitor.minutes.pending()[0]!.requests, 4, 'kept');
    fail = false;
    await r.monitor.flushNow();
    assert.deepEqual(r.monitor.minutes.pending(), []);
    const minute = Math.floor((T0 + 10_000) / MIN) * 60;
    assert.equal((await stats.read(minute, minute)).reduce((s, x) => s + x.requests, 0), 4);
  });
});
