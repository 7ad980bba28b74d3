import type { UsageEvent, UsageOperation } from '../../core/model/types.js';
import type { UsageCounts, UsageRepo } from '../../core/ports/usage-repo.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

interface Row {
  user_id: string;
  operation: UsageOperation;
  at: string;
  cost_eur: number;
  detail: string | null;
}

/** One row per billable operation, for history; quotas read the counters (SqliteUsageCounters), not these rows. */
export class SqliteUsageRepo implements UsageRepo {
  private readonly insert: { run(...params: unknown[]): unknown };

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
    ]);
    this.insert = db.prepare('INSERT INTO usage_events (user_id, operation, at, cost_eur, detail) VALUES (?, ?, ?, ?, ?)');
  }

  private pending: { e: UsageEvent; resolve: () => void; reject: (err: unknown) => void }[] = [];

  /**
   * Group commit: the events recorded during one turn of the event loop are written in one
   * transaction, and each call resolves once its row is committed. Under load this turns one write
   * transaction per question into one per batch, and nothing is acknowledged before it is stored.
   */
  record(e: UsageEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ e, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    try {
      this.db.transaction(() => {
        // Normalised to toISOString() so range comparisons on the text column are chronological.
        for (const { e } of batch) this.insert.run(e.userId, e.operation, new Date(e.at).toISOString(), e.costEur, e.detail ? JSON.stringify(e.detail) : null);
      })();
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    for (const b of batch) b.resolve();
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

  async prune(beforeIso: string): Promise<number> {
    return this.db.prepare('DELETE FROM usage_events WHERE at < ?').run(new Date(beforeIso).toISOString()).changes;
  }

  async recent(userId: string, limit: number): Promise<UsageEvent[]> {
    const rows = this.db.prepare('SELECT * FROM usage_events WHERE user_id = ? ORDER BY at DESC, id DESC LIMIT ?').all(userId, limit) as Row[];
    return rows.map((r) => ({
      userId: r.user_id,
      operation: r.operation,
      at: r.at,
      costEur: r.cost_eur,
      ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
    }));
  }
}
