import type { Redis } from 'ioredis';
import type { Cache } from '../../core/ports/cache.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { OutageLog } from './redis-outage-log.js';

/** An entry as stored (`<expires at ms>\n<value>`) -> its value; null when absent, malformed or expired. */
export function unwrapEntry(raw: string | null, nowMs: number): string | null {
  if (raw === null) return null;
  const cut = raw.indexOf('\n');
  if (cut < 0 || Number(raw.slice(0, cut)) <= nowMs) return null;
  return raw.slice(cut + 1);
}

/**
 * Answers shared by every process on the same Redis (keys under the connection's keyPrefix). Redis
 * expires an entry at its TTL; the entry also carries its expiry time, read against the injected clock,
 * so the same contract suite (with a hand-moved clock) holds here and on the in-memory LRU.
 * Errors and time-outs propagate: the use case answers without the cache (fail-open).
 */
export class RedisAnswerCache implements Cache {
  private readonly outage: OutageLog;
  private readonly clock: Clock;

  constructor(
    private readonly redis: Redis,
    opts: { logger: Logger; clock?: Clock },
  ) {
    this.outage = new OutageLog(opts.logger.child({ component: 'answer-cache' }), 'answer cache');
    this.clock = opts.clock ?? systemClock;
  }

  async get(key: string): Promise<string | null> {
    return unwrapEntry(await this.outage.run(() => this.redis.get(key)), this.clock.now().getTime());
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return void (await this.del(key));
    const expiresAt = this.clock.now().getTime() + ttlSeconds * 1000;
    await this.outage.run(() => this.redis.set(key, `${expiresAt}\n${value}`, 'EX', Math.ceil(ttlSeconds)));
  }

  async del(key: string): Promise<void> {
    await this.outage.run(() => this.redis.del(key));
  }
}
