import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateCounter, RateLimitPolicy, RateLimitStore } from '../../core/ports/rate-limit-store.js';
import { LimiterRateCounter, limiterOptions } from '../embedded/memory-rate-limit-store.js';

/**
 * Counters shared by every process on the same Redis: each consume is one Lua script (SET NX EX +
 * INCRBY + PTTL), so concurrent processes count exactly. With Redis down a call fails at once
 * (`rejectIfRedisNotReady`, and the shared connection has no offline queue); the fail mode decides.
 * Keys: the connection's RedisKeyPrefix, then `rl:<policy>:`.
 */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly opts: { keyPrefix?: string } = {},
  ) {}

  counter(policy: RateLimitPolicy): RateCounter {
    const keyPrefix = `${this.opts.keyPrefix ?? 'rl'}:${policy.name}`;
    return new LimiterRateCounter(policy, new RateLimiterRedis({ ...limiterOptions(policy), storeClient: this.redis, keyPrefix, rejectIfRedisNotReady: true }));
  }
}
