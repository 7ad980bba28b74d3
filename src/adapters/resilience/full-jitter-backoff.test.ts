import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fullJitterBackoff } from './full-jitter-backoff.js';

describe('fullJitterBackoff', () => {
  it('draws each delay uniformly in [0, min(max, base × 2^(n-1))): exponential, capped, jittered', () => {
    const delay = fullJitterBackoff(100, 1000);
    for (const [n, cap] of [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1000], [12, 1000]] as const) {
      const xs = Array.from({ length: 4000 }, () => delay(n));
      assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0 && x < cap), `attempt ${n}: every delay in [0, ${cap})`);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      // Uniform on [0, cap): mean cap/2 (standard error ~0.5 % of cap here; the bounds are ~14 of them).
      assert.ok(mean > cap * 0.43 && mean < cap * 0.57, `attempt ${n}: mean ${mean} near ${cap / 2}`);
      assert.ok(Math.max(...xs) > cap * 0.9 && Math.min(...xs) < cap * 0.1, `attempt ${n}: spread over the whole range`);
    }
  });
});
