import { errors } from '../../core/errors.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { RateCounter, RateLimitPolicy, RateLimitState, RateLimitStore } from '../../core/ports/rate-limit-store.js';
import { promiseOf } from './redis-outage-log.js';

export interface FailModeOptions {
  /** RateLimitFailMode: `open` lets requests through uncounted, `closed` refuses them (503). */
  mode: 'open' | 'closed';
  logger: Logger;
  metrics: Metrics;
}

/**
 * What happens when the shared store is unreachable, decided once for every limiter (HTTP limits and
 * login throttling). Each failure is counted; the outage is logged when it starts and when it ends,
 * not once per request.
 */
export class FailModeRateLimitStore implements RateLimitStore {
  private down = false;

  constructor(
    private readonly inner: RateLimitStore,
    private readonly opts: FailModeOptions,
  ) {}

  counter(policy: RateLimitPolicy): RateCounter {
    const inner = this.inner.counter(policy);
    const open: RateLimitState = { allowed: true, consumed: 0, remaining: policy.points, resetMs: policy.windowSeconds * 1000, counted: false };
    return {
      policy,
      consume: (key, points) => this.guard(policy, () => inner.consume(key, points), open),
      reward: (key, points) => this.guard(policy, () => inner.reward(key, points), undefined),
      delete: (key) => this.guard(policy, () => inner.delete(key), undefined),
    };
  }

  /** Every request passes here twice: a plain then, not an async function around an await. */
  private guard<T>(policy: RateLimitPolicy, call: () => Promise<T>, whenOpen: T): Promise<T> {
    return promiseOf(call).then(
      (result) => {
        if (this.down) {
          this.down = false;
          this.opts.logger.info({}, 'rate-limit store available again');
        }
        return result;
      },
      (e: unknown) => {
        this.opts.metrics.count('rate_limit_store_failures_total', { limiter: policy.name, mode: this.opts.mode });
        if (!this.down) {
          this.down = true;
          this.opts.logger.error({ err: { message: (e as Error).message }, fail_mode: this.opts.mode }, `rate-limit store unavailable: requests are ${this.opts.mode === 'open' ? 'let through uncounted' : 'refused'} until it is back`);
        }
        if (this.opts.mode === 'closed') throw errors.unavailable('Rate limiting is unavailable; try again shortly');
        return whenOpen;
      },
    );
  }
}
