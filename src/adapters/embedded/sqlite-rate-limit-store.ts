import type Database from 'better-sqlite3';
import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { RateCounter, RateLimitPolicy, RateLimitStore } from '../../core/ports/rate-limit-store.js';
import { LimiterRateCounter, limiterOptions } from './memory-rate-limit-store.js';

const TABLE = 'rate_limits';

/**
 * Counters in the data dir's SQLite file, through rate-limiter-flexible's SQLite store: exact across the
 * processes of `manuel serve --workers N` when there is no Redis (memory counters would give each worker
 * its own limit). Each consume is one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (WAL, busy timeout).
 */
export class SqliteRateLimitStore implements RateLimitStore {
  constructor(
    private readonly db: Database.Database,
    private readonly opts: { keyPrefix?: string } = {},
  ) {
    // The library's own table, created here (synchronously) so no request can come before it.
    db.prepare(`CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`).run();
  }

  counter(policy: RateLimitPolicy): RateCounter {
    const keyPrefix = `${this.opts.keyPrefix ?? 'rl'}:${policy.name}`;
    const limiter = new RateLimiterSQLite({
      ...limiterOptions(policy),
      keyPrefix,
      storeClient: this.db,
      storeType: 'better-sqlite3',
      tableName: TABLE,
      tableCreated: true,
      clearExpiredByTimeout: true,
    });
    return new LimiterRateCounter(policy, limiter);
  }
}
