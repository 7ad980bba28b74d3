import type { PeriodTotals, UsageCounters, UsageLimits, UsageTotals } from '../../core/ports/usage-counters.js';
import { usagePeriods, withinLimit } from '../../core/usage/usage-periods.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';
import { writeBatchOf, type SqliteWriteBatch } from './sqlite-write-batch.js';

interface Row {
  kind: 'd' | 'm';
  period: string;
  count: number;
  cost_eur: number;
}

const QUOTA_OPS = "('query', 'transcribe')";

/**
 * Two rows per user (kind 'd' = current UTC day, 'm' = current month), overwritten when the period
 * rolls over, so the table never grows with history. Check-and-count runs under SQLite's writer lock
 * (a BEGIN IMMEDIATE group transaction, see SqliteWriteBatch): exact across every process on the same
 * file, not only inside this one, and under load one transaction serves many requests.
 */
export class SqliteUsageCounters implements UsageCounters {
  private readonly select;
  private readonly upsert;
  private readonly batch: SqliteWriteBatch;

  constructor(private readonly db: SqliteDb) {
    migrate(db, 'usage-counters', [
      `CREATE TABLE IF NOT EXISTS usage_counters (
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        period TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        cost_eur REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, kind)
      ) WITHOUT ROWID;
      ${seedFromEvents(db)}`,
    ]);
    this.select = db.prepare('SELECT kind, period, count, cost_eur FROM usage_counters WHERE user_id = ?');
    // A row of an older period restarts from the delta instead of adding to it.
    this.upsert = db.prepare(
      `INSERT INTO usage_counters (user_id, kind, period, count, cost_eur) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id, kind) DO UPDATE SET
         count = CASE WHEN period = excluded.period THEN count + excluded.count ELSE excluded.count END,
         cost_eur = CASE WHEN period = excluded.period THEN cost_eur + excluded.cost_eur ELSE excluded.cost_eur END,
         period = excluded.period`,
    );
    this.batch = writeBatchOf(db);
  }

  checkAndCount(userId: string, limits: UsageLimits, at: Date, costEur = 0): Promise<UsageTotals & { allowed: boolean }> {
    return this.batch.run(() => {
      const now = this.readNow(userId, at);
      const allowed = withinLimit(now.day.count, limits.daily) && withinLimit(now.month.count, limits.monthly);
      return { allowed, ...(allowed ? this.addNow(userId, at, { count: 1, costEur }) : now) };
    });
  }

  add(userId: string, at: Date, delta: PeriodTotals): Promise<UsageTotals> {
    return this.batch.run(() => this.addNow(userId, at, delta));
  }

  /** Inside a write transaction only. */
  private addNow(userId: string, at: Date, delta: PeriodTotals): UsageTotals {
    const p = usagePeriods(at);
    this.upsert.run(userId, 'd', p.day, delta.count, delta.costEur);
    this.upsert.run(userId, 'm', p.month, delta.count, delta.costEur);
    return this.readNow(userId, at);
  }

  async read(userId: string, at: Date): Promise<UsageTotals> {
    return this.readNow(userId, at);
  }

  private readNow(userId: string, at: Date): UsageTotals {
    const p = usagePeriods(at);
    const out: UsageTotals = { day: { count: 0, costEur: 0 }, month: { count: 0, costEur: 0 } };
    for (const r of this.select.all(userId) as Row[]) {
      if (r.kind === 'd' && r.period === p.day) out.day = { count: r.count, costEur: r.cost_eur };
      if (r.kind === 'm' && r.period === p.month) out.month = { count: r.count, costEur: r.cost_eur };
    }
    return out;
  }
}

/** A database from before the counters: start them from the event log, once, so no quota resets on upgrade. */
function seedFromEvents(db: SqliteDb): string {
  const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage_events'").get();
  if (!hasEvents) return '';
  return `INSERT OR IGNORE INTO usage_counters (user_id, kind, period, count, cost_eur)
      SELECT user_id, 'd', substr(at, 1, 10), COUNT(*), COALESCE(SUM(cost_eur), 0) FROM usage_events
      WHERE operation IN ${QUOTA_OPS} AND substr(at, 1, 10) = strftime('%Y-%m-%d', 'now') GROUP BY user_id;
    INSERT OR IGNORE INTO usage_counters (user_id, kind, period, count, cost_eur)
      SELECT user_id, 'm', substr(at, 1, 7), COUNT(*), COALESCE(SUM(cost_eur), 0) FROM usage_events
      WHERE operation IN ${QUOTA_OPS} AND substr(at, 1, 7) = strftime('%Y-%m', 'now') GROUP BY user_id;`;
}
