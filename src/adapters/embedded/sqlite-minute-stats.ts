import { emptyMinute, mergeByMinute, mergeMinute } from '../../core/monitoring/minute-stats.js';
import type { DayCost, MinuteStats, MinuteStatsStore } from '../../core/ports/minute-stats.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

interface Row {
  minute: number;
  source: string;
  requests: number;
  errors_5xx: number;
  errors_4xx: number;
  latency: string;
  cache_hits: number;
  cache_misses: number;
  cache_bypass: number;
  answers: number;
  pages_ingested: number;
  chunks_indexed: number;
  jobs_queued: number;
  dlq_size: number | null;
  queue_depth: number | null;
  costs: string;
  max_request_cost_eur: number;
  active_users: string;
}

const toStats = (r: Row): MinuteStats => ({
  minute: r.minute,
  requests: r.requests,
  errors5xx: r.errors_5xx,
  errors4xx: r.errors_4xx,
  latency: JSON.parse(r.latency) as MinuteStats['latency'],
  cacheHits: r.cache_hits,
  cacheMisses: r.cache_misses,
  cacheBypass: r.cache_bypass,
  answers: r.answers,
  pagesIngested: r.pages_ingested,
  chunksIndexed: r.chunks_indexed,
  jobsQueued: r.jobs_queued,
  dlqSize: r.dlq_size,
  queueDepth: r.queue_depth,
  costs: JSON.parse(r.costs) as MinuteStats['costs'],
  maxRequestCostEur: r.max_request_cost_eur,
  activeUsers: JSON.parse(r.active_users) as string[],
});

/**
 * Per-minute aggregates in the data dir's SQLite file: one row per minute and process (`source`), so
 * processes never contend for a row; reads merge them. Bounded by LogRetentionDays (prune), i.e. at
 * most 1,440 rows a day per process, a few hundred bytes each (the latency buckets are the bulk).
 */
export class SqliteMinuteStats implements MinuteStatsStore {
  constructor(private readonly db: SqliteDb) {
    migrate(db, 'minute_stats', [
      `CREATE TABLE IF NOT EXISTS minute_stats (
        minute INTEGER NOT NULL,
        source TEXT NOT NULL,
        requests INTEGER NOT NULL,
        errors_5xx INTEGER NOT NULL,
        errors_4xx INTEGER NOT NULL,
        latency TEXT NOT NULL,
        cache_hits INTEGER NOT NULL,
        cache_misses INTEGER NOT NULL,
        cache_bypass INTEGER NOT NULL,
        answers INTEGER NOT NULL,
        pages_ingested INTEGER NOT NULL,
        chunks_indexed INTEGER NOT NULL,
        jobs_queued INTEGER NOT NULL,
        dlq_size INTEGER,
        queue_depth INTEGER,
        costs TEXT NOT NULL,
        max_request_cost_eur REAL NOT NULL,
        active_users TEXT NOT NULL,
        PRIMARY KEY (minute, source)
      ) WITHOUT ROWID;`,
    ]);
  }

  async add(source: string, rows: MinuteStats[]): Promise<void> {
    const get = this.db.prepare('SELECT * FROM minute_stats WHERE minute = ? AND source = ?');
    const put = this.db.prepare(
      `INSERT OR REPLACE INTO minute_stats VALUES
       (@minute, @source, @requests, @errors5xx, @errors4xx, @latency, @cacheHits, @cacheMisses, @cacheBypass, @answers,
        @pagesIngested, @chunksIndexed, @jobsQueued, @dlqSize, @queueDepth, @costs, @maxRequestCostEur, @activeUsers)`,
    );
    this.db.transaction(() => {
      for (const row of rows) {
        const before = get.get(row.minute, source) as Row | undefined;
        const merged = mergeMinute(before ? toStats(before) : emptyMinute(row.minute), row);
        // A sample taken later replaces an earlier one of the same process (not the largest of the two).
        if (before) {
          merged.dlqSize = row.dlqSize ?? before.dlq_size;
          merged.queueDepth = row.queueDepth ?? before.queue_depth;
        }
        put.run({
          ...merged,
          source,
          latency: JSON.stringify(merged.latency),
          costs: JSON.stringify(merged.costs),
          activeUsers: JSON.stringify(merged.activeUsers),
        });
      }
    }).immediate();
  }

  async read(fromMinute: number, toMinute: number): Promise<MinuteStats[]> {
    const rows = this.db.prepare('SELECT * FROM minute_stats WHERE minute BETWEEN ? AND ? ORDER BY minute').all(fromMinute, toMinute) as Row[];
    return mergeByMinute(rows.map(toStats));
  }

  async costByDay(fromMinute: number, toMinute: number): Promise<DayCost[]> {
    return this.db
      .prepare(
        `SELECT date(m.minute, 'unixepoch') AS day, c.key AS operation,
                SUM(json_extract(c.value, '$.eur')) AS eur, SUM(json_extract(c.value, '$.count')) AS count
         FROM minute_stats m, json_each(m.costs) c
         WHERE m.minute BETWEEN ? AND ?
         GROUP BY day, operation ORDER BY day, operation`,
      )
      .all(fromMinute, toMinute) as DayCost[];
  }

  async prune(beforeMinute: number): Promise<number> {
    return this.db.prepare('DELETE FROM minute_stats WHERE minute < ?').run(beforeMinute).changes;
  }
}
