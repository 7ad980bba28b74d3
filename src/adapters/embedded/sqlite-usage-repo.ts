import type { UsageEvent, UsageOperation } from '../../core/model/types.js';
import type { CostLedger, CostLine } from '../../core/ports/cost-ledger.js';
import type { UsageCounts, UsageRepo } from '../../core/ports/usage-repo.js';
import { usagePeriods } from '../../core/usage/usage-periods.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';
import { writeBatchOf, type SqliteWriteBatch } from './sqlite-write-batch.js';

interface Row {
  user_id: string;
  operation: UsageOperation;
  at: string;
  cost_eur: number;
  detail: string | null;
}

interface CostRow {
  day?: string;
  operation: UsageOperation;
  count: number;
  cost_eur: number;
}

const line = (r: CostRow): CostLine => ({ operation: r.operation, count: r.count, costEur: r.cost_eur });

/**
 * One row per billable operation, for history; quotas read the counters (SqliteUsageCounters), not
 * these rows. Beside the log, `usage_costs` keeps one row per user, UTC day and operation (count and
 * EUR), updated by the same write as the event: the cost ledger (issue 9), whose reads stay constant
 * in a user's history.
 */
export class SqliteUsageRepo implements UsageRepo, CostLedger {
  private readonly insert;
  private readonly addCost;
  private readonly dayCosts;
  private readonly rangeCosts;
  private readonly allDays;
  private readonly batch: SqliteWriteBatch;

  constructor(private readonly db: SqliteDb) {
    migrate(db, 'usage', [
      `CREATE TABLE IF NOT EXISTS usage_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        at TEXT NOT NULL,
        cost_eur REAL NOT NULL DEFAULT 0,
        detail TEXT
      );
      CREATE INDEX IF NOT EXISTS usage_user_at ON usage_events(user_id, at);`,
      // The cost ledger, started from the events already logged (an upgrade loses no day).
      `CREATE TABLE IF NOT EXISTS usage_costs (
        user_id TEXT NOT NULL,
        day TEXT NOT NULL,
        operation TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        cost_eur REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (user_id, day, operation)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS usage_costs_day ON usage_costs(day);
      INSERT OR IGNORE INTO usage_costs (user_id, day, operation, count, cost_eur)
        SELECT user_id, substr(at, 1, 10), operation, COUNT(*), COALESCE(SUM(cost_eur), 0) FROM usage_events GROUP BY 1, 2, 3;`,
    ]);
    this.insert = db.prepare('INSERT INTO usage_events (user_id, operation, at, cost_eur, detail) VALUES (?, ?, ?, ?, ?)');
    this.addCost = db.prepare(
      `INSERT INTO usage_costs (user_id, day, operation, count, cost_eur) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (user_id, day, operation) DO UPDATE SET count = count + 1, cost_eur = cost_eur + excluded.cost_eur`,
    );
    this.dayCosts = db.prepare('SELECT operation, count, cost_eur FROM usage_costs WHERE user_id = ? AND day = ? ORDER BY operation');
    this.rangeCosts = db.prepare(
      `SELECT operation, SUM(count) AS count, SUM(cost_eur) AS cost_eur FROM usage_costs
       WHERE user_id = ? AND day >= ? AND day < ? GROUP BY operation ORDER BY operation`,
    );
    this.allDays = db.prepare(
      `SELECT day, operation, SUM(count) AS count, SUM(cost_eur) AS cost_eur FROM usage_costs
       WHERE day >= ? AND day <= ? GROUP BY day, operation ORDER BY day, operation`,
    );
    this.batch = writeBatchOf(db);
  }

  /**
   * The event and its cost in the ledger, in the connection's group transaction (SqliteWriteBatch):
   * written together with the other requests' events and quota counts of the same event-loop turn,
   * and resolved once committed, never before.
   */
  record(e: UsageEvent): Promise<void> {
    // Normalised to toISOString() so range comparisons on the text column are chronological.
    const at = new Date(e.at).toISOString();
    const detail = e.detail ? JSON.stringify(e.detail) : null;
    return this.batch.run(() => {
      this.insert.run(e.userId, e.operation, at, e.costEur, detail);
      this.addCost.run(e.userId, at.slice(0, 10), e.operation, e.costEur);
    });
  }

  async userTotals(userId: string, at: Date): Promise<{ day: CostLine[]; month: CostLine[] }> {
    const p = usagePeriods(at);
    const nextMonth = p.monthEndsAt.toISOString().slice(0, 10);
    return {
      day: (this.dayCosts.all(userId, p.day) as CostRow[]).map(line),
      month: (this.rangeCosts.all(userId, `${p.month}-01`, nextMonth) as CostRow[]).map(line),
    };
  }

  async dailyTotals(fromDay: string, toDay: string): Promise<Array<CostLine & { day: string }>> {
    return (this.allDays.all(fromDay, toDay) as CostRow[]).map((r) => ({ day: r.day!, ...line(r) }));
  }

  async totals(userId: string, sinceIso: string, operation?: UsageOperation): Promise<UsageCounts> {
    const since = new Date(sinceIso).toISOString();
    const rows = this.db
      .prepare(
        `SELECT operation, COUNT(*) AS n, COALESCE(SUM(cost_eur), 0) AS cost FROM usage_events
         WHERE user_id = ? AND at >= ? ${operation ? 'AND operation = ?' : ''} GROUP BY operation`,
      )
      .all(userId, since, ...(operation ? [operation] : [])) as { operation: UsageOperation; n: number; cost: number }[];
    const out: UsageCounts = { count: 0, costEur: 0, byOperation: {} };
    for (const r of rows) {
      out.count += r.n;
      out.costEur += r.cost;
      out.byOperation[r.operation] = r.n;
    }
    return out;
  }

  /** Events before `beforeIso`; ledger days before it too, but never of its month (monthly totals stay whole). */
  async prune(beforeIso: string): Promise<number> {
    const before = new Date(beforeIso).toISOString();
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM usage_costs WHERE day < ?').run(`${before.slice(0, 7)}-01`);
      return this.db.prepare('DELETE FROM usage_events WHERE at < ?').run(before).changes;
    })();
  }

  async recent(userId: string, limit: number): Promise<UsageEvent[]> {
    return (this.db.prepare('SELECT * FROM usage_events WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(userId, limit) as Row[]).map(toEvent);
  }

  async history(userId: string, sinceIso: string, untilIso: string): Promise<UsageEvent[]> {
    const range = [new Date(sinceIso).toISOString(), new Date(untilIso).toISOString()];
    return (this.db.prepare('SELECT * FROM usage_events WHERE user_id = ? AND at >= ? AND at < ? ORDER BY at, id').all(userId, ...range) as Row[]).map(toEvent);
  }
}

function toEvent(r: Row): UsageEvent {
  return {
      userId: r.user_id,
      operation: r.operation,
      at: r.at,
      costEur: r.cost_eur,
      ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
  };
}
