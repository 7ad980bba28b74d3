import assert from 'node:assert/strict';
import { it } from 'node:test';
import { QueueWaitEstimator } from './queue-wait-estimator.js';

function fakeClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

it('estimates nothing while idle; before the first answer, only the time already waited counts', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now });
  assert.equal(e.estimateMs(), 0);
  e.started();
  assert.equal(e.estimateMs(), 0, 'a cold server admits its first requests');
  clock.advance(10_000);
  assert.equal(e.estimateMs(), 20_000, 'but not behind a first answer that never comes');
});

it('serial answers of 100 ms: waiting = (depth + 1) x 100 ms', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now });
  for (let i = 0; i < 3; i++) {
    e.started();
    clock.advance(100);
    e.finished();
  }
  assert.equal(e.serviceMs, 100);
  for (let i = 0; i < 5; i++) e.started();
  assert.equal(e.estimateMs(), 600);
});

it('four answers served at once, 400 ms each: effective service 100 ms, the concurrency is learned', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now, alpha: 1 });
  for (let i = 0; i < 8; i++) e.started();
  // Staggered completions of a pool of four: one finishes every 100 ms once it is warm.
  clock.advance(400);
  e.finished();
  for (let i = 0; i < 3; i++) {
    clock.advance(100);
    e.finished();
  }
  assert.equal(e.serviceMs, 100);
  assert.equal(e.depth, 4);
  assert.equal(e.estimateMs(), 500);
});

it('a stall counts at once: time since the last answer bounds the service time from below', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now });
  e.started();
  clock.advance(50);
  e.finished();
  e.started();
  e.started();
  clock.advance(3000); // the writer hangs
  assert.equal(e.estimateMs(), 3 * 3000);
});

it('forgets a slow past: the moving average follows faster answers', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now, alpha: 0.5 });
  e.started();
  clock.advance(1000);
  e.finished();
  for (let i = 0; i < 10; i++) {
    e.started();
    clock.advance(10);
    e.finished();
  }
  assert.ok(e.serviceMs! < 12, `service ${e.serviceMs}`);
  clock.advance(60_000); // idle time is not service time
  e.started();
  assert.ok(e.estimateMs() < 30);
});
