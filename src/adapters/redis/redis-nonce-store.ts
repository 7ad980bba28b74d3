import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { LimiterNonceStore } from '../embedded/memory-nonce-store.js';

/**
 * Nonces shared by every process on the same Redis. While Redis is down each process falls back to
 * its own memory (rate-limiter-flexible's insurance limiter): a replay to the same process is still
 * refused, and signed requests keep working instead of all failing with the cache server.
 */
export class RedisNonceStore extends LimiterNonceStore {
  constructor(redis: Redis, opts: { keyPrefix?: string } = {}) {
    const keyPrefix = opts.keyPrefix ?? 'nonce'; // under the connection's RedisKeyPrefix
    super(
      new RateLimiterRedis({
        storeClient: redis,
        points: 1,
        duration: 600,
        keyPrefix,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: 1, duration: 600, keyPrefix }),
      }),
    );
  }
}
