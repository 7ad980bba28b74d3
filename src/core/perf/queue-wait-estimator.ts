/**
 * Estimates how long a request arriving now would wait before it is answered, from the requests in
 * flight and the recent effective service time (admission control, docs/decisions/0010).
 *
 * The effective service time is the busy wall time between two completions: with c requests served
 * at once, each taking s, completions come every s / c. So `in flight × effective service time` is
 * `queue depth × service time / concurrency` without having to know the concurrency (an event loop,
 * a thread pool, a remote model's own limit...). It is a moving average (EWMA) of recent samples,
 * and a stall counts at once: time since the last completion is a lower bound for the next one.
 */
export interface QueueWaitEstimatorOptions {
  /** Monotonic milliseconds (tests pass a fake clock). */
  nowMs?: () => number;
  /** Weight of the newest sample in the moving average. */
  alpha?: number;
}

export class QueueWaitEstimator {
  private inFlight = 0;
  private busySince = 0;
  private lastCompletion = 0;
  private avgMs: number | null = null;
  private readonly now: () => number;
  private readonly alpha: number;

  constructor(opts: QueueWaitEstimatorOptions = {}) {
    this.now = opts.nowMs ?? (() => performance.now());
    this.alpha = opts.alpha ?? 0.2;
  }

  get depth(): number {
    return this.inFlight;
  }

  /** Recent effective service time in ms (null before the first completion). */
  get serviceMs(): number | null {
    return this.avgMs;
  }

  started(): void {
    if (this.inFlight++ === 0) this.busySince = this.now();
  }

  finished(): void {
    if (this.inFlight === 0) return;
    const now = this.now();
    const sample = now - Math.max(this.busySince, this.lastCompletion);
    this.avgMs = this.avgMs === null ? sample : this.avgMs + this.alpha * (sample - this.avgMs);
    this.lastCompletion = now;
    if (--this.inFlight === 0) this.busySince = now;
  }

  /** Expected wait in ms of one more request; 0 while idle. */
  estimateMs(): number {
    if (this.inFlight === 0) return 0;
    const sinceLast = this.now() - Math.max(this.busySince, this.lastCompletion);
    return (this.inFlight + 1) * Math.max(this.avgMs ?? 0, sinceLast);
  }
}
