import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { Cache } from '../../core/ports/cache.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * In-process cache with TTLs and a size cap. A Map keeps insertion order, so re-inserting on read
 * makes the first key the least recently used one: evicting from the front is LRU.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly clock: Clock;

  constructor(opts: { maxEntries?: number; clock?: Clock } = {}) {
    this.maxEntries = opts.maxEntries ?? 5000;
    this.clock = opts.clock ?? systemClock;
  }

  async get(key: string): Promise<string | null> {
    const e = this.entries.get(key);
    if (!e) return null;
    this.entries.delete(key);
    if (e.expiresAt <= this.clock.now().getTime()) return null;
    this.entries.set(key, e);
    return e.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    if (ttlSeconds <= 0) return;
    this.entries.set(key, { value, expiresAt: this.clock.now().getTime() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
