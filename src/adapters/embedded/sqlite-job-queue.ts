import { errors } from '../../core/errors.js';
import type { Job } from '../../core/model/types.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { JobQueue } from '../../core/ports/job-queue.js';
import type { SqliteDb } from './sqlite-db.js';
import { migrate, ownerFilter } from './sqlite-migrations.js';

interface Row {
  id: string;
  kind: 'ingest';
  manual_id: string;
  owner_id: string;
  status: Job['status'];
  stage: string;
  attempts: number;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  statistics: string;
  failure_reasons: string;
  first_failed_at: string | null;
}

const toJob = (r: Row): Job => ({
  id: r.id,
  kind: r.kind,
  manualId: r.manual_id,
  ownerId: r.owner_id,
  status: r.status,
  stage: r.stage,
  attempts: r.attempts,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  statistics: JSON.parse(r.statistics) as Record<string, number>,
  failureReasons: JSON.parse(r.failure_reasons) as string[],
  firstFailedAt: r.first_failed_at,
});

/**
 * Durable queue in the same SQLite file. A claim is one UPDATE ... RETURNING (atomic across threads
 * and processes: SQLite serialises writers), which leases the job until `lease_until`. A worker that
 * dies (kill -9) stops heartbeating, its lease runs out and the next claim hands the job out again
 * with `attempts` incremented; the worker decides when enough attempts have been spent.
 */
export class SqliteJobQueue implements JobQueue {
  private readonly enqueueListeners: (() => void)[] = [];

  constructor(
    private readonly db: SqliteDb,
    private readonly clock: Clock = systemClock,
  ) {
    migrate(db, 'jobs', [
      `CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        manual_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        status TEXT NOT NULL,
        stage TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        statistics TEXT NOT NULL DEFAULT '{}',
        failure_reasons TEXT NOT NULL DEFAULT '[]',
        lease_owner TEXT,
        lease_until INTEGER,
        run_after INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS jobs_runnable ON jobs(status, run_after);
      CREATE INDEX IF NOT EXISTS jobs_manual ON jobs(manual_id);`,
      // When a run first failed (the dead-letter queue reports it).
      'ALTER TABLE jobs ADD COLUMN first_failed_at TEXT',
    ]);
  }

  async enqueue(job: Job): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO jobs (id, kind, manual_id, owner_id, status, stage, attempts, created_at, updated_at, started_at, finished_at, statistics, failure_reasons)
         VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, NULL, NULL, ?, ?)`,
      )
      .run(job.id, job.kind, job.manualId, job.ownerId, job.stage, job.attempts, job.createdAt, job.updatedAt, JSON.stringify(job.statistics), JSON.stringify(job.failureReasons));
    for (const listener of this.enqueueListeners) listener();
  }

  /** Called after every enqueue, whoever enqueues (upload, URL import, bootstrap): wakes the worker. */
  onEnqueue(listener: () => void): void {
    this.enqueueListeners.push(listener);
  }

  async claim(workerId: string, leaseMs: number): Promise<Job | null> {
    const now = this.clock.now();
    const ms = now.getTime();
    const iso = now.toISOString();
    const row = this.db
      .prepare(
        `UPDATE jobs SET status = 'processing', lease_owner = ?, lease_until = ?, attempts = attempts + 1,
           started_at = COALESCE(started_at, ?), updated_at = ?
         WHERE id = (
           SELECT id FROM jobs
           WHERE (status = 'queued' AND run_after <= ?) OR (status = 'processing' AND lease_until < ?)
           ORDER BY created_at, rowid LIMIT 1)
         RETURNING *`,
      )
      .get(workerId, ms + leaseMs, iso, iso, ms, ms) as Row | undefined;
    return row ? toJob(row) : null;
  }

  async heartbeat(jobId: string, workerId: string, leaseMs: number, progress?: Partial<Pick<Job, 'stage' | 'statistics'>>): Promise<void> {
    const now = this.clock.now();
    const r = this.db
      .prepare(
        `UPDATE jobs SET lease_until = ?, updated_at = ?, stage = COALESCE(?, stage), statistics = COALESCE(?, statistics)
         WHERE id = ? AND status = 'processing' AND lease_owner = ?`,
      )
      .run(now.getTime() + leaseMs, now.toISOString(), progress?.stage ?? null, progress?.statistics ? JSON.stringify(progress.statistics) : null, jobId, workerId);
    // Another worker took the job after this one's lease ran out: tell the caller to stop working on it.
    if (r.changes === 0) throw errors.conflict(`Lease on job ${jobId} was lost`);
  }

  async complete(jobId: string, statistics: Record<string, number>): Promise<void> {
    const iso = this.clock.now().toISOString();
    this.db
      .prepare(
        `UPDATE jobs SET status = 'completed', stage = 'done', statistics = ?, finished_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ?`,
      )
      .run(JSON.stringify(statistics), iso, iso, jobId);
  }

  async fail(jobId: string, reasons: string[]): Promise<void> {
    const iso = this.clock.now().toISOString();
    this.db
      .prepare(
        `UPDATE jobs SET status = 'failed', failure_reasons = ?, finished_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ?`,
      )
      .run(JSON.stringify(reasons), iso, iso, jobId);
  }

  async release(jobId: string, workerId: string, opts: { delayMs?: number; refundAttempt?: boolean; failed?: boolean } = {}): Promise<void> {
    const now = this.clock.now();
    const iso = now.toISOString();
    this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', run_after = ?, attempts = MAX(0, attempts - ?), updated_at = ?, lease_owner = NULL, lease_until = NULL,
           first_failed_at = CASE WHEN ? THEN COALESCE(first_failed_at, ?) ELSE first_failed_at END
         WHERE id = ? AND status = 'processing' AND lease_owner = ?`,
      )
      .run(now.getTime() + (opts.delayMs ?? 0), opts.refundAttempt ? 1 : 0, iso, opts.failed ? 1 : 0, iso, jobId, workerId);
  }

  async requeue(jobId: string): Promise<Job | null> {
    const iso = this.clock.now().toISOString();
    const row = this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', stage = 'queued', attempts = 0, run_after = 0, failure_reasons = '[]', finished_at = NULL,
           first_failed_at = NULL, updated_at = ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND status = 'failed'
         RETURNING *`,
      )
      .get(iso, jobId) as Row | undefined;
    if (!row) return null;
    for (const listener of this.enqueueListeners) listener();
    return toJob(row);
  }

  async get(jobId: string, visibleOwners: readonly string[]): Promise<Job | null> {
    const f = ownerFilter('owner_id', visibleOwners);
    const r = this.db.prepare(`SELECT * FROM jobs WHERE id = ? AND ${f.sql}`).get(jobId, ...f.params) as Row | undefined;
    return r ? toJob(r) : null;
  }

  async forManual(manualId: string): Promise<Job[]> {
    const rows = this.db.prepare('SELECT * FROM jobs WHERE manual_id = ? ORDER BY created_at DESC, rowid DESC').all(manualId) as Row[];
    return rows.map(toJob);
  }

  /** Jobs waiting for a worker (GET /health/deep). */
  depth(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued'").get() as { n: number }).n;
  }

  /**
   * At start-up: hand back jobs leased by workers known to be dead (the process was killed), so they
   * resume now instead of after their lease runs out. The attempt stays counted: a job that kills
   * its process every time still runs out of attempts.
   */
  reclaimOrphans(isDead: (leaseOwner: string) => boolean): number {
    const rows = this.db.prepare("SELECT id, lease_owner FROM jobs WHERE status = 'processing' AND lease_owner IS NOT NULL").all() as { id: string; lease_owner: string }[];
    const release = this.db.prepare("UPDATE jobs SET status = 'queued', run_after = 0, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'processing'");
    let n = 0;
    for (const r of rows) if (isDead(r.lease_owner)) n += release.run(r.id, r.lease_owner).changes;
    return n;
  }

  async deleteForManual(manualId: string): Promise<number> {
    return this.db.prepare('DELETE FROM jobs WHERE manual_id = ?').run(manualId).changes;
  }
}

