import type { SketchBuckets } from '../ports/minute-stats.js';

/**
 * Latency percentiles that merge: a DDSketch-style histogram with logarithmic buckets. Bucket `i`
 * holds values in (γ^(i-1), γ^i]; reading a bucket back gives 2γ^i/(γ+1), within RELATIVE_ACCURACY of
 * every value in it. Two sketches merge by adding bucket counts, so the p95 of five minutes, or of
 * several processes, is exact to that accuracy; a minute of any traffic is a few dozen buckets.
 */
export const RELATIVE_ACCURACY = 0.02;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or under 0.01 ms share one bucket (a request is never that fast). */
const MIN_MS = 0.01;

export const bucketOf = (ms: number): number => Math.ceil(Math.log(Math.max(ms, MIN_MS)) / LOG_GAMMA);
const valueOf = (bucket: number): number => (2 * GAMMA ** bucket) / (GAMMA + 1);

export class LatencySketch {
  private readonly counts = new Map<number, number>();
  private n = 0;

  static from(buckets: SketchBuckets): LatencySketch {
    return new LatencySketch().merge(buckets);
  }

  get count(): number {
    return this.n;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const b = bucketOf(ms);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.n++;
  }

  merge(buckets: SketchBuckets): this {
    for (const [k, c] of Object.entries(buckets)) {
      const b = Number(k);
      if (!Number.isInteger(b) || !(c > 0)) continue;
      this.counts.set(b, (this.counts.get(b) ?? 0) + c);
      this.n += c;
    }
    return this;
  }

  /** The q-quantile (0..1) in ms, within RELATIVE_ACCURACY; null when empty. */
  quantile(q: number): number | null {
    if (this.n === 0) return null;
    const rank = Math.min(this.n - 1, Math.max(0, Math.floor(q * (this.n - 1))));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen > rank) return valueOf(b);
    }
    return null; // unreachable: seen ends at n > rank
  }

  toJSON(): SketchBuckets {
    return Object.fromEntries(this.counts);
  }
}

/** Adds `b` into `a` (both bucket maps); returns `a`. */
export function mergeBuckets(a: SketchBuckets, b: SketchBuckets): SketchBuckets {
  for (const [k, c] of Object.entries(b)) a[k] = (a[k] ?? 0) + c;
  return a;
}
