import type { Redis } from 'ioredis';
import { versionedAnswerKey } from '../../core/ask/answer-cache-key.js';
import type { CachedAnswerLookup } from '../../core/ports/answer-lookup.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { unwrapEntry } from './redis-answer-cache.js';
import { versionKey } from './redis-manual-set-versions.js';
import { OutageLog } from './redis-outage-log.js';

/**
 * KEYS: the owners' version keys. ARGV[1]: the answer key's base, with the connection's prefix.
 * Reads each version (0 when never bumped) and the entry under base:v<versions joined by dots>,
 * the key versionedAnswerKey makes. Returns {versions, entry}.
 */
const LOOKUP = `
local versions = {}
for i, k in ipairs(KEYS) do
  versions[i] = redis.call('GET', k) or '0'
end
return {versions, redis.call('GET', ARGV[1] .. ':v' .. table.concat(versions, '.'))}
`;

type LookupCommand = { manuelAnswerLookup(numKeys: number, ...args: string[]): Promise<[string[], string | null]> };

/**
 * The versions and the cached answer in one round trip: a script (EVALSHA) over the keys that
 * RedisManualSetVersions and RedisAnswerCache use, so it reads exactly what they write. The answer
 * key is built inside the script from the versions it reads, which a Redis Cluster would refuse (a
 * key not named in KEYS); this runs on the embedded shape's single Redis. Errors propagate, logged
 * once per outage: the use case answers without the cache.
 */
export class RedisAnswerLookup implements CachedAnswerLookup {
  private readonly outage: OutageLog;
  private readonly clock: Clock;
  private readonly redis: Redis & LookupCommand;

  constructor(redis: Redis, opts: { logger: Logger; clock?: Clock }) {
    if (!('manuelAnswerLookup' in redis)) redis.defineCommand('manuelAnswerLookup', { lua: LOOKUP });
    this.redis = redis as Redis & LookupCommand;
    this.outage = new OutageLog(opts.logger.child({ component: 'answer-cache' }), 'answer cache');
    this.clock = opts.clock ?? systemClock;
  }

  async lookup(owners: readonly string[], base: string): Promise<{ key: string; value: string | null }> {
    // KEYS get the connection's keyPrefix from ioredis; the key the script builds needs it by hand.
    const prefix = this.redis.options.keyPrefix ?? '';
    const [raw, entry] = await this.outage.run(() => this.redis.manuelAnswerLookup(owners.length, ...owners.map(versionKey), prefix + base));
    const versions = raw.map((v) => Number(v));
    return { key: versionedAnswerKey(base, versions), value: unwrapEntry(entry, this.clock.now().getTime()) };
  }
}
