import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateCounter, RateLimitPolicy, RateLimitState, RateLimitStore } from '../../core/ports/rate-limit-store.js';

const state = (policy: RateLimitPolicy, res: RateLimiterRes, allowed: boolean): RateLimitState => ({
  allowed,
  consumed: res.consumedPoints,
  remaining: Math.max(0, res.remainingPoints),
  resetMs: Math.max(0, res.msBeforeNext),
  counted: true,
});

/** One policy over a rate-limiter-flexible limiter: "over the limit" is a rejected RateLimiterRes, anything else a store failure. */
export class LimiterRateCounter implements RateCounter {
  constructor(
    readonly policy: RateLimitPolicy,
    private readonly limiter: RateLimiterAbstract,
  ) {}

  consume(key: string, points = 1): Promise<RateLimitState> {
    // Every request calls this (twice): a plain then, not an async function around an await.
    return this.limiter.consume(key, points).then(
      (res) => state(this.policy, res, true),
      (e: unknown) => {
        if (e instanceof RateLimiterRes) return state(this.policy, e, false);
        throw e;
      },
    );
  }

  async reward(key: string, points = 1): Promise<void> {
    await this.limiter.reward(key, points);
  }

  async delete(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

/** rate-limiter-flexible wants whole seconds. */
export const limiterOptions = (policy: RateLimitPolicy) => ({
  points: policy.points,
  duration: Math.max(1, Math.round(policy.windowSeconds)),
  blockDuration: policy.blockSeconds ? Math.max(1, Math.round(policy.blockSeconds)) : 0,
});

/** Counters of this process only (one server; tests). */
export class MemoryRateLimitStore implements RateLimitStore {
  constructor(private readonly opts: { keyPrefix?: string } = {}) {}

  counter(policy: RateLimitPolicy): RateCounter {
    const keyPrefix = `${this.opts.keyPrefix ?? 'rl'}:${policy.name}`;
    return new LimiterRateCounter(policy, new RateLimiterMemory({ ...limiterOptions(policy), keyPrefix }));
  }
}
