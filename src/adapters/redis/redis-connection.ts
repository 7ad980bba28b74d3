import { Redis } from 'ioredis';
import type { Logger } from '../../core/ports/logger.js';

export interface RedisConnectionOptions {
  url: string;
  logger: Logger;
  /** A command slower than this fails (callers fall back); default 250 ms. */
  commandTimeoutMs?: number;
  /** Keys of this connection all start with it (tests use one per test). */
  keyPrefix?: string;
}

/**
 * The one Redis connection of a process, shared by the answer cache, usage counters, rate limits and
 * the replay store. It fails fast instead of queueing: with the server down a command errors at once
 * (no offline queue, one try) so every user can fall open or closed by its own rule, and ioredis keeps
 * reconnecting in the background. Up/down transitions are logged once each, not per command.
 * Auto-pipelining batches the commands of one tick into one socket write.
 */
export function createRedisConnection(opts: RedisConnectionOptions): Redis {
  const log = opts.logger.child({ component: 'redis' });
  const redis = new Redis(opts.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs ?? 250,
    connectTimeout: 2000,
    keyPrefix: opts.keyPrefix,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // Commands issued in the same tick (the rate limits, counters, versions and cache reads of the
    // requests in flight) go out in one write: one syscall for many requests instead of one each.
    // Each still has its own reply, error and commandTimeout.
    enableAutoPipelining: true,
  });
  let up: boolean | null = null;
  redis.on('ready', () => {
    if (up !== true) log.info({ url: redactUrl(opts.url) }, 'redis connected');
    up = true;
  });
  redis.on('error', (err: Error) => {
    if (up !== false) log.warn({ url: redactUrl(opts.url), err: { message: err.message } }, 'redis unavailable; reconnecting in the background');
    up = false;
  });
  return redis;
}

/** Waits until the connection is ready or `timeoutMs` passes; false when Redis is not there. */
export async function redisReady(redis: Redis, timeoutMs = 2000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.on('ready', onReady);
  });
}

const redactUrl = (url: string) => url.replace(/\/\/[^@/]*@/, '//***@');
