import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LatencySketch, RELATIVE_ACCURACY } from './latency-sketch.js';

/** The exact q-quantile the sketch approximates (the same rank rule). */
const exact = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

/** Deterministic pseudo-random numbers (a test must not flake). */
function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32);
}

it('gives p50, p95 and p99 within its relative accuracy on a long-tailed sample', () => {
  const rnd = lcg(7);
  const values = Array.from({ length: 20_000 }, () => Math.exp(rnd() * 9) * 0.5); // 0.5 ms .. 4 s, log-uniform
  const sketch = new LatencySketch();
  for (const v of values) sketch.add(v);
  const sorted = [...values].sort((a, b) => a - b);
  for (const q of [0.5, 0.95, 0.99]) {
    const want = exact(sorted, q);
    const got = sketch.quantile(q)!;
    assert.ok(Math.abs(got - want) / want <= RELATIVE_ACCURACY + 1e-9, `q${q}: ${got} vs ${want}`);
  }
  assert.ok(Object.keys(sketch.toJSON()).length < 300, 'a bounded number of buckets');
});

it('merges: two halves merged give the quantiles of the whole', () => {
  const rnd = lcg(11);
  const a = new LatencySketch();
  const b = new LatencySketch();
  const whole = new LatencySketch();
  for (let i = 0; i < 5000; i++) {
    const v = 1 + rnd() * (i % 2 ? 10 : 2000);
    (i % 2 ? a : b).add(v);
    whole.add(v);
  }
  const merged = LatencySketch.from(a.toJSON()).merge(JSON.parse(JSON.stringify(b.toJSON())));
  assert.equal(merged.count, 5000);
  for (const q of [0.5, 0.95]) assert.equal(merged.quantile(q), whole.quantile(q));
});

it('is null when empty, ignores what is not a latency, and clamps tiny values', () => {
  const s = new LatencySketch();
  assert.equal(s.quantile(0.5), null);
  s.add(Number.NaN);
  s.add(-3);
  assert.equal(s.count, 0);
  s.add(0);
  assert.ok(s.quantile(0.5)! <= 0.011);
  assert.deepEqual(LatencySketch.from({ x: 3, '5': -1 } as Record<string, number>).count, 0);
});
