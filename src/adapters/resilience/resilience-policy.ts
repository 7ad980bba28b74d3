import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  type CircuitBreakerPolicy,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import type { BreakerState, BreakerStatus } from '../../core/ports/breakers.js';
import { fullJitterExponentialBackoff } from './full-jitter-backoff.js';

export interface RetryOptions {
  /** Attempts per call, the first included (MaxRetryAttempts). */
  attempts: number;
  /** Cap of the first back-off (BaseRetryDelay, ms); doubles per retry. */
  baseDelayMs: number;
  /** Cap of any back-off (MaxRetryDelay, ms). */
  maxDelayMs: number;
  /** Source of the jitter (tests); default Math.random. */
  random?: () => number;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long it stays open before letting one trial call through (half-open). */
  halfOpenAfterMs: number;
}

export interface BreakerTransition {
  service: string;
  from: BreakerState;
  to: BreakerState;
  failures: number;
  /** What made it open. */
  reason?: string;
}

export interface PolicyOptions {
  /** The dependency's name: breaker name in /health/deep, metrics and the reset route. */
  service: string;
  /** Absent: one attempt. */
  retry?: RetryOptions;
  /** Deadline of the whole call, retries and back-offs included. Absent: none here (the adapter's own). */
  timeoutMs?: number;
  /** Absent: no breaker. */
  breaker?: BreakerOptions;
  /** Failures worth retrying and counting against the breaker; anything else passes straight through. */
  isTransient: (e: unknown) => boolean;
  onTransition?: (t: BreakerTransition) => void;
}

/** For calls without a caller's signal: cockatiel's policies accept one that never aborts. */
const NEVER_ABORTED = new AbortController().signal;

const stateName = (s: CircuitState): BreakerState =>
  s === CircuitState.Open ? 'open' : s === CircuitState.HalfOpen ? 'half_open' : s === CircuitState.Isolated ? 'isolated' : 'closed';

/**
 * One dependency's policy on cockatiel: deadline ⊃ retry (exponential back-off, full jitter) ⊃ circuit
 * breaker ⊃ the call. Each attempt counts against the breaker; an open breaker fails the call at once
 * (BrokenCircuitError) and is never retried. The deadline caps what a caller can wait, so a hanging
 * dependency costs one deadline, not attempts × deadline.
 */
export class ResiliencePolicy {
  readonly service: string;
  private readonly retryPolicy: RetryPolicy | null;
  private readonly timeoutPolicy: TimeoutPolicy | null;
  private breaker: CircuitBreakerPolicy | null = null;
  private counter: ConsecutiveBreaker | null = null;
  private openedAt: string | null = null;
  private openedAtMs = 0;

  constructor(private readonly opts: PolicyOptions) {
    this.service = opts.service;
    const transient = handleWhen((e) => opts.isTransient(e));
    const r = opts.retry;
    this.retryPolicy =
      r && r.attempts > 1
        ? retry(transient, {
            maxAttempts: r.attempts - 1,
            backoff: fullJitterExponentialBackoff(r.baseDelayMs, r.maxDelayMs, r.random),
          })
        : null;
    // abortOnReturn off: aborting the signal after every successful call builds an AbortError each time (~40 µs).
    this.timeoutPolicy = opts.timeoutMs ? timeout(opts.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }) : null;
    if (opts.breaker) this.breaker = this.newBreaker(opts.breaker);
  }

  /** Runs `fn` under the policy; `fn` gets a signal that aborts when the deadline passes or `signal` aborts. */
  execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // Read at every attempt: after a reset, the next attempt already goes through the new breaker.
    const attempt = (s: AbortSignal): Promise<T> => (this.breaker ? this.breaker.execute(({ signal: inner }) => fn(inner), s) : fn(s));
    const retried = (s: AbortSignal): Promise<T> => (this.retryPolicy ? this.retryPolicy.execute(({ signal: inner }) => attempt(inner), s) : attempt(s));
    const run = (s: AbortSignal): Promise<T> => (this.timeoutPolicy ? this.timeoutPolicy.execute(({ signal: inner }) => retried(inner), s) : retried(s));
    if (!signal) return run(NEVER_ABORTED);
    // A caller's abort ends the wait at once, even in the middle of a back-off (cockatiel sleeps through it).
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      run(signal).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** The breaker as an operator sees it; null when this policy has none. Open past its pause reads half-open: the next call is the trial. */
  status(): BreakerStatus | null {
    if (!this.breaker || !this.counter) return null;
    let state = stateName(this.breaker.state);
    if (state === 'open' && Date.now() - this.openedAtMs >= this.opts.breaker!.halfOpenAfterMs) state = 'half_open';
    return { service: this.service, state, failures: this.counter.state, openedAt: this.openedAt };
  }

  /** Closes the breaker (a fresh one: no failures counted). False when there is no breaker. */
  reset(): boolean {
    if (!this.breaker || !this.opts.breaker) return false;
    const before = stateName(this.breaker.state);
    const failures = this.counter!.state;
    this.breaker = this.newBreaker(this.opts.breaker);
    if (before !== 'closed') this.opts.onTransition?.({ service: this.service, from: before, to: 'closed', failures, reason: 'reset' });
    return true;
  }

  private newBreaker(b: BreakerOptions): CircuitBreakerPolicy {
    const counter = new ConsecutiveBreaker(b.threshold);
    const breaker = circuitBreaker(
      handleWhen((e) => this.opts.isTransient(e)),
      { halfOpenAfter: b.halfOpenAfterMs, breaker: counter },
    );
    let current: BreakerState = 'closed';
    breaker.onBreak(() => {
      if (this.breaker !== breaker) return;
      this.openedAtMs = Date.now();
      this.openedAt = new Date(this.openedAtMs).toISOString();
    });
    breaker.onStateChange((s) => {
      if (this.breaker !== breaker) return; // a breaker replaced by reset() reports nothing more
      const to = stateName(s);
      const from = current;
      current = to;
      const last = breaker.lastFailure;
      const reason = to === 'open' && last && 'error' in last ? String((last.error as Error)?.message ?? last.error).slice(0, 200) : undefined;
      this.opts.onTransition?.({ service: this.service, from, to, failures: counter.state, ...(reason ? { reason } : {}) });
    });
    this.counter = counter;
    return breaker;
  }
}
