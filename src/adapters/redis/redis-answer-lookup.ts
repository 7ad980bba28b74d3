import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { versionedAnswerKey } from '../../core/ask/answer-cache-key.js';
import type { CachedAnswerLookup } from '../../core/ports/answer-lookup.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import { unwrapEntry } from './redis-answer-cache.js';
import { versionKey } from './redis-manual-set-versions.js';
import { OutageLog } from './redis-outage-log.js';

/**
 * KEYS: the owners' version keys. ARGV[1]: the answer key's base, with the connection's prefix.
 * ARGV[2]: what the caller already holds for this base, `<versions joined by dots>|<expiry ms>`, or ''.
 * Reads each version (0 when never bumped) and the entry under base:v<versions joined by dots>, the
 * key versionedAnswerKey makes. Returns {versions, entry}; entry is 1 instead of the text when the
 * caller already holds that very entry (same key, same expiry stamp: the same write), so a popular
 * answer crosses the socket once per process, not once per request.
 */
const LOOKUP = `
local versions = {}
for i, k in ipairs(KEYS) do
  versions[i] = redis.call('GET', k) or '0'
end
local joined = table.concat(versions, '.')
local entry = redis.call('GET', ARGV[1] .. ':v' .. joined)
if entry and ARGV[2] ~= '' then
  local cut = string.find(entry, '\\n', 1, true)
  if cut and joined .. '|' .. string.sub(entry, 1, cut - 1) == ARGV[2] then return {versions, 1} end
end
return {versions, entry}
`;

/** An entry this process has read: under which versions, the write's expiry stamp, and its text. */
interface Held {
  versions: string;
  stamp: string;
  value: string;
}

/** Characters of answer text a process keeps of the entries it has read (about 2 bytes each, and the parse). */
export const HELD_ANSWER_CHARS = 4_000_000;

type LookupCommand = { manuelAnswerLookup(numKeys: number, ...args: string[]): Promise<[string[], string | 1 | null]> };

/**
 * The versions and the cached answer in one round trip: a script (EVALSHA) over the keys that
 * RedisManualSetVersions and RedisAnswerCache use, so it reads exactly what they write. The answer
 * key is built inside the script from the versions it reads, which a Redis Cluster would refuse (a
 * key not named in KEYS); this runs on the embedded shape's single Redis. Errors propagate, logged
 * once per outage: the use case answers without the cache.
 *
 * Each process keeps the entries it has read (least recently used out past HELD_ANSWER_CHARS) and
 * tells the script which one it holds for the question: Redis still decides, on every request, which
 * key is current and whether its entry is there and unexpired; only the text does not travel again.
 * A hit then returns the very string it returned before, which the use case's parse memo recognises
 * (parseCachedAnswer). Measured in ADR 0036.
 */
export class RedisAnswerLookup implements CachedAnswerLookup {
  private readonly outage: OutageLog;
  private readonly clock: Clock;
  private readonly redis: Redis & LookupCommand;
  private readonly held: LRUCache<string, Held>;

  constructor(redis: Redis, opts: { logger: Logger; clock?: Clock; heldChars?: number }) {
    if (!('manuelAnswerLookup' in redis)) redis.defineCommand('manuelAnswerLookup', { lua: LOOKUP });
    this.redis = redis as Redis & LookupCommand;
    this.outage = new OutageLog(opts.logger.child({ component: 'answer-cache' }), 'answer cache');
    this.clock = opts.clock ?? systemClock;
    this.held = new LRUCache<string, Held>({ maxSize: opts.heldChars ?? HELD_ANSWER_CHARS, sizeCalculation: (h) => Math.max(1, h.value.length) });
  }

  async lookup(owners: readonly string[], base: string): Promise<{ key: string; value: string | null }> {
    // KEYS get the connection's keyPrefix from ioredis; the key the script builds needs it by hand.
    const prefix = this.redis.options.keyPrefix ?? '';
    const mine = this.held.get(base);
    const [raw, entry] = await this.outage.run(() =>
      this.redis.manuelAnswerLookup(owners.length, ...owners.map(versionKey), prefix + base, mine ? `${mine.versions}|${mine.stamp}` : ''),
    );
    const key = versionedAnswerKey(base, raw.map(Number));
    const now = this.clock.now().getTime();
    if (entry === 1) return { key, value: mine && Number(mine.stamp) > now ? mine.value : null };
    const value = unwrapEntry(entry, now);
    if (value !== null && typeof entry === 'string') this.held.set(base, { versions: raw.join('.'), stamp: entry.slice(0, entry.indexOf('\n')), value });
    return { key, value };
  }
}
