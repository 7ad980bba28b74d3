import type { SqliteDb } from './sqlite-db.js';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** A piece of work threw during a plain run: the batch is run again with a savepoint per piece. */
class PieceFailed extends Error {}

/**
 * Group commit for the small writes every request makes (quota check-and-count, the usage event, its
 * cost): the writes queued during one turn of the event loop run in one `BEGIN IMMEDIATE`
 * transaction, in the order they were queued, and each caller is answered once the transaction has
 * committed. Under load that is one write transaction per batch instead of two or three per request.
 *
 * Each piece of work is synchronous SQL run under the writer lock, so a read-then-write inside it
 * (check-and-count) stays atomic across every process on the file. One that throws is undone and
 * rejected alone, the rest of the batch still commits: the batch first runs every piece plainly (no
 * savepoints, the common case), and only when one throws is that transaction rolled back and the
 * batch run again with each piece in its own savepoint. When the transaction itself cannot begin or
 * commit (SQLITE_BUSY past busy_timeout, a full disk), every caller of that batch is rejected and
 * nothing of it is kept.
 *
 * One per database connection: every adapter that writes through it shares its batches, which is
 * how the usage event, the counters and the cost ledger of one request land in one transaction.
 */
export class SqliteWriteBatch {
  private pending: Pending[] = [];
  private readonly item;
  private readonly plain;
  private readonly guarded;

  constructor(db: SqliteDb) {
    // Nested better-sqlite3 transactions are savepoints.
    this.item = db.transaction((work: () => unknown) => work());
    // A savepoint per piece costs about a fifth of a small batch, and pieces almost never throw.
    this.plain = db.transaction((items: Pending[]) =>
      items.map((p) => {
        try {
          return { ok: true, value: p.work() };
        } catch {
          throw new PieceFailed(); // rolls this transaction back; the batch runs again, guarded
        }
      }),
    );
    this.guarded = db.transaction((items: Pending[]) =>
      items.map((p) => {
        try {
          return { ok: true, value: this.item(p.work) };
        } catch (err) {
          return { ok: false, value: err };
        }
      }),
    );
  }

  /** Runs `work` in the next group transaction; resolves with its result once that has committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** The batch in one transaction: plainly, or again with a savepoint per piece when one threw. */
  private commit(items: Pending[]): { ok: boolean; value: unknown }[] {
    try {
      return this.plain.immediate(items);
    } catch (err) {
      if (!(err instanceof PieceFailed)) throw err;
      return this.guarded.immediate(items);
    }
  }

  private flush(): void {
    const items = this.pending;
    this.pending = [];
    let results: { ok: boolean; value: unknown }[];
    try {
      results = this.commit(items);
    } catch (err) {
      for (const p of items) p.reject(err);
      return;
    }
    items.forEach((p, i) => (results[i]!.ok ? p.resolve(results[i]!.value) : p.reject(results[i]!.value)));
  }
}

/** The one batch of a connection, shared by every adapter on it. */
const batches = new WeakMap<SqliteDb, SqliteWriteBatch>();
export function writeBatchOf(db: SqliteDb): SqliteWriteBatch {
  let b = batches.get(db);
  if (!b) batches.set(db, (b = new SqliteWriteBatch(db)));
  return b;
}
