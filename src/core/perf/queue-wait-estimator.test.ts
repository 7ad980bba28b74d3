import assert from 'node:assert/strict';
import { it } from 'node:test';
import { QueueWaitEstimator } from './queue-wait-estimator.js';

function fakeClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

it('estimates nothing while idle, nor before the first answer (a cold burst is admitted)', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now });
  assert.equal(e.estimateMs(), 0);
  for (let i = 0; i < 64; i++) e.started();
  clock.advance(5_000);
  assert.equal(e.estimateMs(), 0);
  e.finished(); // the first answer carries the warm-up: not a sample
  assert.equal(e.estimateMs(), 0);
  clock.advance(100);
  e.finished();
  assert.equal(e.estimateMs(), 63 * 100, 'from the second answer on, the queue counts');
});

/** One answer to get past the warm-up, as a process that has been serving for a while. */
function warmed(clock: ReturnType<typeof fakeClock>, window?: number) {
  const e = new QueueWaitEstimator({ nowMs: clock.now, window });
  e.started();
  clock.advance(5000);
  e.finished();
  return e;
}

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
  const e = new QueueWaitEstimator({ nowMs: clock.now, window: 3 });
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

it('a stall counts at once: nothing answered for longer than the estimate makes the time waited the estimate', () => {
  const clock = fakeClock();
  const e = warmed(clock);
  e.started();
  clock.advance(50);
  e.finished();
  e.started();
  e.started();
  assert.equal(e.estimateMs(), 150);
  clock.advance(3000); // the writer hangs
  assert.equal(e.estimateMs(), 3000);
});

it('a burst of quick answers after a slow one does not hide the slow one; the window forgets it later', () => {
  const clock = fakeClock();
  const e = warmed(clock, 8);
  e.started();
  clock.advance(1000);
  e.finished();
  for (let i = 0; i < 3; i++) {
    e.started();
    clock.advance(10);
    e.finished();
  }
  assert.equal(e.serviceMs, (1000 + 30) / 4);
  for (let i = 0; i < 8; i++) {
    e.started();
    clock.advance(10);
    e.finished();
  }
  assert.equal(e.serviceMs, 10, 'out of the window');
  clock.advance(60_000); // idle time is not service time
  e.started();
  assert.ok(e.estimateMs() < 30);
});

it('with minSamples, nothing is shed until that many service times were measured', () => {
  const clock = fakeClock();
  const e = new QueueWaitEstimator({ nowMs: clock.now, minSamples: 3 });
  for (let i = 0; i < 64; i++) e.started();
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    e.finished(); // warm-up, then two slow samples
  }
  assert.equal(e.estimateMs(), 0, 'two samples are not enough');
  clock.advance(100);
  e.finished();
  assert.ok(e.estimateMs() > 0);
});
