import type { CachedAnswerLookup } from '../../core/ports/answer-lookup.js';
import type { Cache } from '../../core/ports/cache.js';
import type { ManualSetVersions } from '../../core/ports/manual-set-versions.js';
import type { RateLimitStore } from '../../core/ports/rate-limit-store.js';
import type { UsageCounters } from '../../core/ports/usage-counters.js';
import type { ResiliencePolicy } from './resilience-policy.js';

/**
 * The Redis-backed ports, every command through the one `redis` policy (a breaker, no retry: each
 * caller already has a fallback — bypass the cache, count in SQLite, the rate-limit fail mode — and a
 * retry would only double the wait of every request while Redis is gone). With the breaker open a call
 * fails at once, so the fallback costs nothing instead of a command time-out per request.
 */

export const guardCache = (cache: Cache, policy: ResiliencePolicy): Cache => ({
  get: (key) => policy.execute(() => cache.get(key)),
  set: (key, value, ttl) => policy.execute(() => cache.set(key, value, ttl)),
  del: (key) => policy.execute(() => cache.del(key)),
});

export const guardAnswerLookup = (lookup: CachedAnswerLookup, policy: ResiliencePolicy): CachedAnswerLookup => ({
  lookup: (owners, base) => policy.execute(() => lookup.lookup(owners, base)),
});

export const guardManualSetVersions = (versions: ManualSetVersions, policy: ResiliencePolicy): ManualSetVersions => ({
  read: (owners) => policy.execute(() => versions.read(owners)),
  bump: (owner) => policy.execute(() => versions.bump(owner)),
});

export const guardUsageCounters = (counters: UsageCounters, policy: ResiliencePolicy): UsageCounters => ({
  checkAndCount: (userId, limits, at, cost) => policy.execute(() => counters.checkAndCount(userId, limits, at, cost)),
  add: (userId, at, delta) => policy.execute(() => counters.add(userId, at, delta)),
  read: (userId, at) => policy.execute(() => counters.read(userId, at)),
});

export const guardRateLimitStore = (store: RateLimitStore, policy: ResiliencePolicy): RateLimitStore => ({
  counter(p) {
    const c = store.counter(p);
    return {
      policy: c.policy,
      consume: (key, points) => policy.execute(() => c.consume(key, points)),
      reward: (key, points) => policy.execute(() => c.reward(key, points)),
      delete: (key) => policy.execute(() => c.delete(key)),
    };
  },
});
