import { Redis, type Command } from 'ioredis';
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
    // No `commandTimeout` here: stallProofTimeouts below is that time-out, without its false alarms.
    connectTimeout: 2000,
    keyPrefix: opts.keyPrefix,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // Commands issued in the same tick (the rate limits, counters, versions and cache reads of the
    // requests in flight) go out in one write: one syscall for many requests instead of one each.
    // Each still has its own reply, error and time-out (stallProofTimeouts).
    enableAutoPipelining: true,
  });
  stallProofTimeouts(redis, opts.commandTimeoutMs ?? 250);
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

/**
 * A command time-out that a stalled event loop cannot fake. ioredis's own (`commandTimeout`) fires in
 * the timers phase of the first loop turn after a long synchronous stretch (a burst of new answers
 * being computed), before the poll phase reads a reply that came back in time. That reads as Redis
 * being slow: the Redis breaker opens, every question bypasses the cache and is computed anew, which
 * stalls the loop further (bench:load, full profile, cold cache: 78 answers/s, 238 of 778 bypassed).
 * Here, once `ms` have passed, the deadline is checked again after the loop has read what the socket
 * holds (setImmediate runs after the poll phase): only a reply still missing then is a time-out.
 *
 * One timer per connection, not one per command (a cached answer sends four): every command has the
 * same time-out, so the commands in flight, in the order sent, are also in the order of their
 * deadlines, and the timer only has to wait for the oldest. A command leaves that list the moment it
 * settles (its resolve and reject are wrapped), so a reply is not kept alive after it is used.
 */
export function stallProofTimeouts(redis: Redis, ms: number): void {
  const send = redis.sendCommand.bind(redis) as (c: Command, ...r: unknown[]) => unknown;
  const inFlight = new Map<Command, number>(); // command -> deadline (performance.now()), oldest first
  let timer: NodeJS.Timeout | null = null;
  const arm = (deadline: number) => {
    timer = setTimeout(sweep, Math.max(0, deadline - performance.now())).unref();
  };
  const sweep = () => {
    timer = null;
    const now = performance.now();
    const late: Command[] = [];
    for (const [command, deadline] of inFlight) {
      if (deadline > now) {
        arm(deadline);
        break;
      }
      inFlight.delete(command);
      late.push(command);
    }
    if (late.length > 0) {
      setImmediate(() => {
        for (const command of late) if (!command.isSettled) command.reject(new Error('Command timed out'));
      });
    }
  };
  redis.sendCommand = ((command: Command, ...rest: unknown[]) => {
    const result = send(command, ...rest);
    if (!command.isSettled) {
      const deadline = performance.now() + ms;
      inFlight.set(command, deadline);
      const { resolve, reject } = command;
      command.resolve = (value) => {
        inFlight.delete(command);
        resolve(value);
      };
      command.reject = (err) => {
        inFlight.delete(command);
        reject(err);
      };
      if (!timer) arm(deadline);
    }
    return result;
  }) as Redis['sendCommand'];
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
