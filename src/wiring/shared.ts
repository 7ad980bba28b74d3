/**
 * Pieces both shapes build the same way from the parameters (src/wiring/embedded.ts, src/wiring/aws.ts):
 * the sign-in throttle, the request-signing bag, the Redis answer cache behind its breaker, and the
 * Monitor with its answer listener. Each shape still chooses its own adapters and passes them in.
 */
import type { Redis } from 'ioredis';
import { AesGcmSecretBox } from '../adapters/embedded/aes-gcm-secret-box.js';
import { MemoryNonceStore } from '../adapters/embedded/memory-nonce-store.js';
import { RedisAnswerCache } from '../adapters/redis/redis-answer-cache.js';
import type { BreakerRegistry } from '../adapters/resilience/breaker-registry.js';
import { guardCache } from '../adapters/resilience/guarded-redis-ports.js';
import { redisPolicy, type BreakerTuning } from '../adapters/resilience/resilience-setup.js';
import type { ResiliencePolicy } from '../adapters/resilience/resilience-policy.js';
import type { Parameters } from '../config/parameters.js';
import { CounterAuthThrottle } from '../core/auth/auth-throttle.js';
import { errors } from '../core/errors.js';
import { Monitor, type MonitorDeps, type MonitorOptions } from '../core/monitoring/monitor.js';
import type { ApiKeyRepo } from '../core/ports/api-key-repo.js';
import type { Cache } from '../core/ports/cache.js';
import type { Logger } from '../core/ports/logger.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { NonceStore } from '../core/ports/nonce-store.js';
import type { RateLimitStore } from '../core/ports/rate-limit-store.js';
import type { SecretBox } from '../core/ports/secret-box.js';
import type { AppServices } from '../http/services.js';

/** Brute-force protection of sign-in and sign-up (always on, no flag), on the shape's rate-limit store. */
export function authThrottle(store: RateLimitStore, p: Parameters, metrics: Metrics): CounterAuthThrottle {
  return new CounterAuthThrottle(
    store,
    {
      maxConsecutiveFailures: p.LoginMaxConsecutiveFailures,
      lockoutMinutes: p.LoginLockoutMinutes,
      maxFailuresPerIpPerDay: p.LoginMaxFailuresPerIpPerDay,
      signupsPerIpPerHour: p.SignupRequestsPerIpPerHour,
    },
    metrics,
  );
}

/** Without a sealing secret no API key can be made or opened: those routes say why; everything else works. */
const unsealable = (why: string): SecretBox => ({
  seal: () => {
    throw errors.unavailable(why);
  },
  open: () => {
    throw errors.unavailable(why);
  },
});

/**
 * API keys and request signing (docs/decisions/0006-request-signing.md): secrets sealed with a key
 * derived from `secret` (null: 503 with `missingSecret` on the key routes), nonces in the shared store
 * when the shape has one, else per process.
 */
export function signingServices(opts: { apiKeys: ApiKeyRepo; secret: string | Uint8Array | null; missingSecret?: string; nonces: NonceStore | null }): AppServices['signing'] {
  return {
    apiKeys: opts.apiKeys,
    secretBox: opts.secret ? new AesGcmSecretBox(opts.secret) : unsealable(opts.missingSecret ?? 'API keys need a server secret of at least 32 characters'),
    nonces: opts.nonces ?? new MemoryNonceStore(),
  };
}

/**
 * The one breaker of every user of one Redis connection (EnableAdvancedErrorHandling): a dead server is
 * skipped at once by all of them instead of costing each a command time-out. null without breakers.
 */
export const redisGuard = (breakers: BreakerRegistry | null, tuning?: BreakerTuning): ResiliencePolicy | null => (breakers ? breakers.policy(redisPolicy(tuning)) : null);

/**
 * Answers shared by every process (or Lambda container) on that Redis. Fail-open: an error or a time-out
 * makes the question's cache_status `bypass`, never a failed request; with `guard` an open breaker skips
 * Redis at once.
 */
export function redisAnswerCache(redis: Redis, logger: Logger, guard: ResiliencePolicy | null): Cache {
  const cache = new RedisAnswerCache(redis, { logger });
  return guard ? guardCache(cache, guard) : cache;
}

/** A metrics backend that tells a listener about each count (PromMetrics, EmfMetrics). */
export interface CountObservable {
  onCount(listener: (name: string, labels: Record<string, string>, n: number) => void): void;
}

/**
 * Monitoring (EnableAdvancedErrorHandling or EnableXRayTracing; docs/decisions/0014): the Monitor over the
 * shape's MinuteStats and AlarmStates stores, with every answer counted in its minute by cache status.
 * Requests reach it through the HTTP middleware (createApp reads `ops.monitor.minutes`), usage events and
 * jobs through the metered ports the shape wraps with `monitor.minutes`.
 */
export function createMonitor(deps: MonitorDeps, metrics: CountObservable, opts?: MonitorOptions): Monitor {
  const monitor = new Monitor(deps, opts);
  metrics.onCount((name, labels) => name === 'answers_total' && monitor.minutes.answer(labels.cache_status ?? 'bypass'));
  return monitor;
}
