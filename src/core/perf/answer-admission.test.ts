import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ManuelError } from '../errors.js';
import { noMetrics } from '../ports/metrics.js';
import { AnswerAdmission } from './answer-admission.js';
import { QueueWaitEstimator } from './queue-wait-estimator.js';

function setup(thresholdMs = 1000) {
  let t = 0;
  const now = () => t;
  const admission = new AnswerAdmission({ thresholdMs, metrics: noMetrics, nowMs: now, estimator: new QueueWaitEstimator({ nowMs: now, minSamples: 1 }) });
  const advance = (ms: number) => (t += ms);
  return { admission, advance };
}

const refused = (fn: () => unknown) => {
  try {
    fn();
    return false;
  } catch (e) {
    assert.ok(e instanceof ManuelError && e.code === 'unavailable' && e.details?.reason === 'overloaded');
    return true;
  }
};

it('a projection a little past the threshold is admitted while answers still arrive in time', () => {
  const { admission, advance } = setup(1000);
  // Serial answers of 100 ms each: the service time is learned, every one of them fast.
  for (let i = 0; i < 3; i++) {
    const s = admission.admit();
    advance(100);
    s.done();
  }
  const queue = Array.from({ length: 11 }, () => admission.admit()); // (11 + 1) x 100 ms = 1.2 s projected
  assert.equal(refused(() => admission.admit()), false, 'noise, not a standing queue');
  for (const s of queue) s.done();
});

it('the same projection is shed once every recent answer really took longer than the threshold', () => {
  const { admission, advance } = setup(1000);
  const first = admission.admit();
  advance(100);
  first.done();
  const slow = Array.from({ length: 12 }, () => admission.admit());
  advance(1100); // all of them waited past the threshold
  for (const s of slow) {
    s.done();
    advance(100);
  }
  let admitted = 0;
  while (!refused(() => admission.admit())) admitted++;
  assert.ok(admitted >= 1 && admitted < 12, `shed as soon as the projection passes the threshold (${admitted} admitted)`);
});

it('a burst far past the threshold (twice or more) is shed at once, with no history of slow answers', () => {
  const { admission, advance } = setup(1000);
  for (let i = 0; i < 3; i++) {
    const s = admission.admit();
    advance(100);
    s.done();
  }
  const burst: { done(): void }[] = [];
  let shed = 0;
  for (let i = 0; i < 40; i++) {
    try {
      burst.push(admission.admit());
    } catch {
      shed++;
    }
  }
  assert.equal(burst.length, 20, 'admitted up to (n + 1) x 100 ms = 2 x threshold');
  assert.equal(shed, 20);
});
