import { randomUUID } from 'node:crypto';
import type { DeadLetter, DeadLetterQueue } from '../../core/ports/dead-letter-queue.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

interface Row {
  id: string;
  job_id: string;
  kind: string;
  manual_id: string | null;
  owner_id: string | null;
  error_type: string;
  error: string;
  attempts: number;
  created_at: string;
  first_failed_at: string;
  dead_at: string;
  retries: number;
}

const toLetter = (r: Row): DeadLetter => ({
  id: r.id,
  jobId: r.job_id,
  kind: r.kind,
  manualId: r.manual_id,
  ownerId: r.owner_id,
  errorType: r.error_type,
  error: r.error,
  attempts: r.attempts,
  createdAt: r.created_at,
  firstFailedAt: r.first_failed_at,
  deadAt: r.dead_at,
  retries: r.retries,
});

/** Longest error text kept (a stack or a parser's message can be long; the letter is for a person). */
const MAX_ERROR = 2000;

/**
 * Dead letters in the same SQLite file as the jobs. One letter per job and per manual: `add` finds
 * the letter of the same job or manual inside one IMMEDIATE transaction (so two processes failing
 * the same manual cannot both insert) and updates it instead of adding another.
 */
export class SqliteDeadLetterQueue implements DeadLetterQueue {
  constructor(private readonly db: SqliteDb) {
    migrate(db, 'dead_letters', [
      `CREATE TABLE IF NOT EXISTS dead_letters (
        id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        manual_id TEXT,
        owner_id TEXT,
        error_type TEXT NOT NULL,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        first_failed_at TEXT NOT NULL,
        dead_at TEXT NOT NULL,
        retries INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS dead_letters_manual ON dead_letters(manual_id);
      CREATE INDEX IF NOT EXISTS dead_letters_dead_at ON dead_letters(dead_at);`,
    ]);
  }

  async add(letter: Omit<DeadLetter, 'id' | 'retries'>): Promise<DeadLetter> {
    const error = letter.error.slice(0, MAX_ERROR);
    return this.db
      .transaction((): DeadLetter => {
        const existing = this.db
          .prepare('SELECT * FROM dead_letters WHERE job_id = ? OR (manual_id IS NOT NULL AND manual_id = ?) LIMIT 1')
          .get(letter.jobId, letter.manualId) as Row | undefined;
        if (existing) {
          const row = this.db
            .prepare(
              `UPDATE dead_letters SET job_id = ?, kind = ?, manual_id = ?, owner_id = ?, error_type = ?, error = ?, attempts = ?, created_at = ?,
                 first_failed_at = MIN(first_failed_at, ?), dead_at = ?
               WHERE id = ? RETURNING *`,
            )
            .get(letter.jobId, letter.kind, letter.manualId, letter.ownerId, letter.errorType, error, letter.attempts, letter.createdAt, letter.firstFailedAt, letter.deadAt, existing.id) as Row;
          return toLetter(row);
        }
        const row = this.db
          .prepare(
            `INSERT INTO dead_letters (id, job_id, kind, manual_id, owner_id, error_type, error, attempts, created_at, first_failed_at, dead_at, retries)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING *`,
          )
          .get(randomUUID(), letter.jobId, letter.kind, letter.manualId, letter.ownerId, letter.errorType, error, letter.attempts, letter.createdAt, letter.firstFailedAt, letter.deadAt) as Row;
        return toLetter(row);
      })
      .immediate();
  }

  async list(opts: { limit?: number } = {}): Promise<DeadLetter[]> {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 1000));
    const rows = this.db.prepare('SELECT * FROM dead_letters ORDER BY dead_at DESC, rowid DESC LIMIT ?').all(limit) as Row[];
    return rows.map(toLetter);
  }

  async get(id: string): Promise<DeadLetter | null> {
    const row = this.db.prepare('SELECT * FROM dead_letters WHERE id = ?').get(id) as Row | undefined;
    return row ? toLetter(row) : null;
  }

  async remove(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM dead_letters WHERE id = ?').run(id).changes > 0;
  }

  async removeFor(subject: { jobId?: string; manualId?: string }): Promise<number> {
    if (!subject.jobId && !subject.manualId) return 0;
    return this.db.prepare('DELETE FROM dead_letters WHERE job_id = ? OR manual_id = ?').run(subject.jobId ?? null, subject.manualId ?? null).changes;
  }

  async markRetried(id: string): Promise<void> {
    this.db.prepare('UPDATE dead_letters SET retries = retries + 1 WHERE id = ?').run(id);
  }

  async size(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM dead_letters').get() as { n: number }).n;
  }
}
