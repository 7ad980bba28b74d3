import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { NonceStore } from '../../core/ports/nonce-store.js';

/**
 * A nonce store is a rate limiter allowing one use per nonce: rate-limiter-flexible's consume is
 * the atomic check-and-remember (synchronous in one process; one Lua script, SET NX EX + INCRBY, on Redis).
 */
export class LimiterNonceStore implements NonceStore {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async checkAndRemember(nonce: string, ttlSeconds: number): Promise<boolean> {
    try {
      await this.limiter.consume(nonce, 1, { customDuration: Math.max(1, Math.ceil(ttlSeconds)) });
      return true;
    } catch (e) {
      if (e instanceof RateLimiterRes) return false;
      throw e;
    }
  }
}

/** Nonces of one process (no Redis). */
export class MemoryNonceStore extends LimiterNonceStore {
  constructor(opts: { keyPrefix?: string } = {}) {
    super(new RateLimiterMemory({ points: 1, duration: 600, keyPrefix: opts.keyPrefix ?? 'nonce' }));
  }
}
