/**
 * Estimates how long a request arriving now would wait before it is answered, from the requests in
 * flight and the recent effective service time (admission control, docs/decisions/0010).
 *
 * The effective service time is the busy wall time between two completions: with c requests served
 * at once, each taking s, completions come every s / c. So `in flight × effective service time` is
 * `queue depth × service time / concurrency` without having to know the concurrency (an event loop,
 * a thread pool, a remote model's own limit...). It is the mean of the last `window` gaps: a burst of
 * quick completions after a slow one must not make a deep queue look short. A stall counts at once:
 * when nothing has completed for longer than the estimate, the time already waited is the estimate.
 * Nothing is estimated before the first completion (see estimateMs).
 */
export interface QueueWaitEstimatorOptions {
  /** Monotonic milliseconds (tests pass a fake clock). */
  nowMs?: () => number;
  /** How many recent completions the mean covers. */
  window?: number;
  /** Measured service times needed before anything is shed (default 1). One or two answers after a
   * cold start (a stampede of misses on one question) are not yet a service time to refuse clients on. */
  minSamples?: number;
}

export class QueueWaitEstimator {
  private inFlight = 0;
  private busySince = 0;
  private lastCompletion = 0;
  private readonly gaps: number[] = [];
  private next = 0;
  private sum = 0;
  private warm = false;
  private readonly now: () => number;
  private readonly window: number;
  private readonly minSamples: number;

  constructor(opts: QueueWaitEstimatorOptions = {}) {
    this.now = opts.nowMs ?? (() => performance.now());
    this.window = opts.window ?? 32;
    this.minSamples = Math.max(1, opts.minSamples ?? 1);
  }

  get depth(): number {
    return this.inFlight;
  }

  /** Recent effective service time in ms (null before the first completion). */
  get serviceMs(): number | null {
    return this.gaps.length ? this.sum / this.gaps.length : null;
  }

  started(): void {
    if (this.inFlight++ === 0) this.busySince = this.now();
  }

  finished(): void {
    if (this.inFlight === 0) return;
    const now = this.now();
    const gap = now - Math.max(this.busySince, this.lastCompletion);
    // The very first answer of a process carries its warm-up (model, caches): not a service time.
    if (this.warm) this.record(gap);
    this.warm = true;
    this.lastCompletion = now;
    if (--this.inFlight === 0) this.busySince = now;
  }

  private record(gap: number): void {
    if (this.gaps.length < this.window) this.gaps.push(gap);
    else {
      this.sum -= this.gaps[this.next]!;
      this.gaps[this.next] = gap;
      this.next = (this.next + 1) % this.window;
    }
    this.sum += gap;
  }

  /**
   * Expected wait in ms of one more request; 0 while idle, and 0 until a service time was measured
   * after the first answer: a cold process hit by a burst (first embeddings, empty caches) answers
   * its first questions late, and shedding then would refuse the clients that arrived first.
   */
  estimateMs(): number {
    if (this.inFlight === 0 || this.gaps.length < this.minSamples) return 0;
    const stalled = this.now() - Math.max(this.busySince, this.lastCompletion);
    return Math.max((this.inFlight + 1) * (this.serviceMs ?? 0), stalled);
  }
}
