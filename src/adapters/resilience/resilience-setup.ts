import type { Parameters } from '../../config/parameters.js';
import type { PolicyOptions } from './resilience-policy.js';
import { isRedisFailure, isTransientDownload, isTransientUpstream } from './transient-errors.js';

/** Breaker (and reset route) names of the dependencies. */
export const SERVICES = {
  answer: 'answer-endpoint',
  transcription: 'transcription-endpoint',
  redis: 'redis',
  urlImport: 'url-import',
} as const;

/**
 * Consecutive failures that open a breaker. With MaxRetryAttempts 3 that is two questions in a row that
 * failed every attempt: one unlucky request (a restart, a dropped connection) cannot open it. For Redis
 * it is five commands in a row: under any load, a fraction of a second of a dead server.
 */
export const BREAKER_THRESHOLD = 5;
/**
 * Pause before a trial call to a model endpoint. The trial is a real question: against an endpoint
 * that hangs it costs its asker one ReadTimeout, so at most one such wait per 30 s instead of every
 * question; an endpoint that restarts (a model reload, tens of seconds) is used again within 30 s.
 */
export const MODEL_BREAKER_PAUSE_MS = 30_000;
/**
 * Pause before a trial command to Redis: a trial costs at most the 250 ms command time-out and
 * ioredis reconnects within 2 s, so the cache and shared counters are back within ~5 s of Redis.
 */
export const REDIS_BREAKER_PAUSE_MS = 5_000;

export interface BreakerTuning {
  threshold?: number;
  modelPauseMs?: number;
  redisPauseMs?: number;
}

type Options = Omit<PolicyOptions, 'onTransition'>;
type RetryParameters = Pick<Parameters, 'MaxRetryAttempts' | 'BaseRetryDelay' | 'MaxRetryDelay'>;

const retryOf = (p: RetryParameters) => ({ attempts: p.MaxRetryAttempts, baseDelayMs: p.BaseRetryDelay, maxDelayMs: p.MaxRetryDelay });

/**
 * An OpenAI-compatible endpoint (answers, transcription): idempotent reads, so retried on 5xx, 429,
 * time-outs and refused connections; ReadTimeout is the deadline of the whole call, retries included.
 */
export const modelEndpointPolicy = (
  service: string,
  p: RetryParameters & Pick<Parameters, 'ReadTimeout'>,
  t: BreakerTuning = {},
): Options => ({
  service,
  retry: retryOf(p),
  timeoutMs: p.ReadTimeout,
  breaker: { threshold: t.threshold ?? BREAKER_THRESHOLD, halfOpenAfterMs: t.modelPauseMs ?? MODEL_BREAKER_PAUSE_MS },
  isTransient: isTransientUpstream,
});

/**
 * Redis: a breaker only. Its time-out is the connection's command time-out (250 ms, every command);
 * no retry, because every caller has a fallback that is cheaper than a second wait.
 */
export const redisPolicy = (t: BreakerTuning = {}): Options => ({
  service: SERVICES.redis,
  breaker: { threshold: t.threshold ?? BREAKER_THRESHOLD, halfOpenAfterMs: t.redisPauseMs ?? REDIS_BREAKER_PAUSE_MS },
  isTransient: isRedisFailure,
});

/**
 * URL import: retries of transient failures only; the download's own deadline covers every attempt.
 * No breaker: the "dependency" is whatever host a user names, and one dead host must not refuse
 * imports from every other (ADR 0011).
 */
export const urlImportPolicy = (p: RetryParameters): Options => ({
  service: SERVICES.urlImport,
  retry: retryOf(p),
  isTransient: isTransientDownload,
});
