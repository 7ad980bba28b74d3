import { errorFingerprint, normaliseMessage, severityOf } from '../../core/ops/error-fingerprint.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { ErrorOccurrence, ErrorRecord, ErrorTracker } from '../../core/ports/error-tracker.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Severity } from '../../core/ports/notifier.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

interface Row {
  fingerprint: string;
  error_type: string;
  message: string;
  location: string;
  severity: Severity;
  count: number;
  first_seen: string;
  last_seen: string;
  sample_request_id: string | null;
}

const toRecord = (r: Row): ErrorRecord => ({
  fingerprint: r.fingerprint,
  error_type: r.error_type,
  message: r.message,
  where: r.location,
  severity: r.severity,
  count: r.count,
  first_seen: r.first_seen,
  last_seen: r.last_seen,
  sample_request_id: r.sample_request_id,
});

const RANK: Record<Severity, number> = { medium: 1, high: 2, critical: 3 };

/** One row per fingerprint, updated in place (an upsert per occurrence); the message stored is the normalised one. */
export class SqliteErrorTracker implements ErrorTracker {
  private readonly upsert;

  private readonly clock: Clock;
  private readonly logger: Logger | undefined;

  constructor(
    private readonly db: SqliteDb,
    opts: { clock?: Clock; logger?: Logger } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger;
    migrate(db, 'errors', [
      `CREATE TABLE IF NOT EXISTS error_records (
        fingerprint TEXT PRIMARY KEY,
        error_type TEXT NOT NULL,
        message TEXT NOT NULL,
        location TEXT NOT NULL,
        severity TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        sample_request_id TEXT
      );
      CREATE INDEX IF NOT EXISTS error_records_last_seen ON error_records(last_seen);`,
    ]);
    // The worse severity wins; the newest occurrence gives the sample request id (its log lines are the freshest).
    this.upsert = db.prepare(
      `INSERT INTO error_records (fingerprint, error_type, message, location, severity, count, first_seen, last_seen, sample_request_id)
       VALUES (@fingerprint, @error_type, @message, @location, @severity, 1, @at, @at, @request_id)
       ON CONFLICT(fingerprint) DO UPDATE SET
         count = count + 1,
         severity = CASE WHEN @rank > (CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 ELSE 1 END) THEN excluded.severity ELSE severity END,
         first_seen = min(first_seen, excluded.first_seen),
         sample_request_id = CASE WHEN excluded.last_seen >= last_seen THEN coalesce(excluded.sample_request_id, sample_request_id) ELSE sample_request_id END,
         last_seen = max(last_seen, excluded.last_seen)
       RETURNING *`,
    );
  }

  async record(o: ErrorOccurrence): Promise<ErrorRecord | null> {
    const message = normaliseMessage(o.message);
    const severity = o.severity ?? severityOf(o.errorType, o.status);
    try {
      const row = this.upsert.get({
        fingerprint: errorFingerprint(o.errorType, message, o.where),
        error_type: o.errorType,
        message,
        location: o.where,
        severity,
        rank: RANK[severity],
        at: (o.at ?? this.clock.now()).toISOString(),
        request_id: o.requestId ?? null,
      }) as Row;
      return toRecord(row);
    } catch (e) {
      this.logger?.warn({ err: e }, 'error record not stored');
      return null;
    }
  }

  async list(opts: { severity?: Severity; limit?: number; since?: Date } = {}): Promise<ErrorRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.severity) (where.push('severity = ?'), params.push(opts.severity));
    if (opts.since) (where.push('last_seen >= ?'), params.push(opts.since.toISOString()));
    const sql = `SELECT * FROM error_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY last_seen DESC, fingerprint LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, Math.max(1, Math.min(opts.limit ?? 100, 1000))) as Row[];
    return rows.map(toRecord);
  }

  async prune(before: Date): Promise<number> {
    return this.db.prepare('DELETE FROM error_records WHERE last_seen < ?').run(before.toISOString()).changes;
  }
}
