import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManualClock } from '../../../test/helpers/fakes.js';
import { LatencySketch } from './latency-sketch.js';
import { MinuteAggregator } from './minute-aggregator.js';
import { MAX_ACTIVE_USERS } from './minute-stats.js';

const T0 = Date.parse('2025-03-10T12:00:00.000Z');

it('counts each event in the minute it happened: requests by class, latency, cache, ingestion, cost', () => {
  const clock = new ManualClock(T0 + 5_000);
  const agg = new MinuteAggregator(clock);
  agg.request(200, 12);
  agg.request(404, 3);
  agg.request(503, 900, 0.02);
  agg.answer('hit');
  agg.answer('miss');
  agg.answer('bypass');
  agg.jobQueued();
  agg.usage('query', 0.02, 'u1');
  agg.usage('upload', 0, null);
  clock.advance(60_000);
  agg.request(200, 40, 0.5);
  agg.ingested(30, 90);

  const [first, second] = agg.pending();
  assert.equal(first!.minute, T0 / 1000);
  assert.deepEqual([first!.requests, first!.errors4xx, first!.errors5xx], [3, 1, 1]);
  assert.deepEqual([first!.cacheHits, first!.cacheMisses, first!.cacheBypass, first!.answers], [1, 1, 1, 3]);
  assert.equal(first!.jobsQueued, 1);
  assert.deepEqual(first!.costs, { query: { eur: 0.02, count: 1 }, upload: { eur: 0, count: 1 } });
  assert.deepEqual(first!.activeUsers, ['u1']);
  assert.equal(first!.maxRequestCostEur, 0.02);
  assert.equal(LatencySketch.from(first!.latency).count, 3);
  assert.equal(second!.minute, T0 / 1000 + 60);
  assert.deepEqual([second!.pagesIngested, second!.chunksIndexed, second!.maxRequestCostEur], [30, 90, 0.5]);
});

it('take() hands over the closed minutes only, once; putBack() keeps a failed write for the next', () => {
  const clock = new ManualClock(T0);
  const agg = new MinuteAggregator(clock);
  agg.request(200, 10);
  clock.advance(60_000);
  agg.request(500, 10);
  const closed = agg.take(T0 / 1000 + 60);
  assert.deepEqual(closed.map((r) => r.minute), [T0 / 1000]);
  assert.deepEqual(agg.take(T0 / 1000 + 60), [], 'not twice');
  agg.putBack(closed);
  agg.sample(T0 / 1000, { dlqSize: 4, queueDepth: 1 });
  const all = agg.take();
  assert.deepEqual(all.map((r) => [r.minute, r.requests, r.errors5xx]), [[T0 / 1000, 1, 0], [T0 / 1000 + 60, 1, 1]]);
  assert.deepEqual([all[0]!.dlqSize, all[0]!.queueDepth], [4, 1]);
  assert.equal(LatencySketch.from(all[0]!.latency).count, 1, 'the latency came back too');
  assert.deepEqual(agg.pending(), []);
});

it('caps the active users of a minute', () => {
  const agg = new MinuteAggregator(new ManualClock(T0));
  for (let i = 0; i < MAX_ACTIVE_USERS + 50; i++) agg.usage('query', 0, `u${i}`);
  assert.equal(agg.pending()[0]!.activeUsers.length, MAX_ACTIVE_USERS);
});
