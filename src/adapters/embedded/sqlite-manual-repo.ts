import { errors } from '../../core/errors.js';
import type { Manual } from '../../core/model/types.js';
import type { ManualRepo } from '../../core/ports/manual-repo.js';
import { constraintViolated, type SqliteDb } from './sqlite-db.js';
import { migrate, ownerFilter } from './sqlite-migrations.js';

interface Row {
  id: string;
  owner_id: string;
  name: string;
  file_name: string;
  content_hash: string;
  blob_key: string;
  size: number;
  pages: number;
  chunks: number;
  embedded_chunks: number;
  status: Manual['status'];
  upload_date: string;
  error: string | null;
  source: Manual['source'];
  quarantine_reason: string | null;
  quarantine_released_at: string | null;
}

const toManual = (r: Row): Manual => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  fileName: r.file_name,
  contentHash: r.content_hash,
  blobKey: r.blob_key,
  size: r.size,
  pages: r.pages,
  chunks: r.chunks,
  embeddedChunks: r.embedded_chunks,
  status: r.status,
  uploadDate: r.upload_date,
  error: r.error,
  source: r.source,
  quarantineReason: r.quarantine_reason,
  quarantineReleasedAt: r.quarantine_released_at,
});

/** Manual field -> column, for partial updates (never id / owner). */
const columns: Record<keyof Omit<Manual, 'id' | 'ownerId'>, string> = {
  name: 'name',
  fileName: 'file_name',
  contentHash: 'content_hash',
  blobKey: 'blob_key',
  size: 'size',
  pages: 'pages',
  chunks: 'chunks',
  embeddedChunks: 'embedded_chunks',
  status: 'status',
  uploadDate: 'upload_date',
  error: 'error',
  source: 'source',
  quarantineReason: 'quarantine_reason',
  quarantineReleasedAt: 'quarantine_released_at',
};

export class SqliteManualRepo implements ManualRepo {
  constructor(private readonly db: SqliteDb) {
    migrate(db, 'manuals', [
      // UNIQUE(owner, hash): two concurrent uploads of the same file by one user cannot both create a row.
      `CREATE TABLE IF NOT EXISTS manuals (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        name TEXT NOT NULL,
        file_name TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        blob_key TEXT NOT NULL,
        size INTEGER NOT NULL,
        pages INTEGER NOT NULL DEFAULT 0,
        chunks INTEGER NOT NULL DEFAULT 0,
        embedded_chunks INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        upload_date TEXT NOT NULL,
        error TEXT,
        source TEXT NOT NULL,
        UNIQUE (owner_id, content_hash)
      );
      CREATE INDEX IF NOT EXISTS manuals_blob ON manuals(blob_key);`,
      // 2: upload threat checks (ADR 0008). NULL = never flagged / not released.
      `ALTER TABLE manuals ADD COLUMN quarantine_reason TEXT;
      ALTER TABLE manuals ADD COLUMN quarantine_released_at TEXT;`,
    ]);
  }

  async create(m: Manual): Promise<void> {
    try {
      this.db
        .prepare(
          `INSERT INTO manuals (id, owner_id, name, file_name, content_hash, blob_key, size, pages, chunks, embedded_chunks, status, upload_date, error, source,
             quarantine_reason, quarantine_released_at)
           VALUES (@id, @ownerId, @name, @fileName, @contentHash, @blobKey, @size, @pages, @chunks, @embeddedChunks, @status, @uploadDate, @error, @source,
             @quarantineReason, @quarantineReleasedAt)`,
        )
        .run(m);
    } catch (e) {
      if (constraintViolated(e)) throw errors.conflict('This manual already exists');
      throw e;
    }
  }

  async get(id: string, visibleOwners: readonly string[]): Promise<Manual | null> {
    const f = ownerFilter('owner_id', visibleOwners);
    const r = this.db.prepare(`SELECT * FROM manuals WHERE id = ? AND ${f.sql}`).get(id, ...f.params) as Row | undefined;
    return r ? toManual(r) : null;
  }

  async list(visibleOwners: readonly string[]): Promise<Manual[]> {
    const f = ownerFilter('owner_id', visibleOwners);
    const rows = this.db.prepare(`SELECT * FROM manuals WHERE ${f.sql} ORDER BY upload_date DESC, rowid DESC`).all(...f.params) as Row[];
    return rows.map(toManual);
  }

  async listQuarantined(): Promise<Manual[]> {
    const rows = this.db
      .prepare('SELECT * FROM manuals WHERE quarantine_reason IS NOT NULL AND quarantine_released_at IS NULL ORDER BY upload_date DESC, rowid DESC')
      .all() as Row[];
    return rows.map(toManual);
  }

  async findByHash(ownerId: string, contentHash: string): Promise<Manual | null> {
    const r = this.db.prepare('SELECT * FROM manuals WHERE owner_id = ? AND content_hash = ?').get(ownerId, contentHash) as Row | undefined;
    return r ? toManual(r) : null;
  }

  async update(id: string, patch: Partial<Omit<Manual, 'id' | 'ownerId'>>): Promise<void> {
    const keys = (Object.keys(patch) as (keyof typeof columns)[]).filter((k) => k in columns && patch[k] !== undefined);
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${columns[k]} = ?`).join(', ');
    this.db.prepare(`UPDATE manuals SET ${sets} WHERE id = ?`).run(...keys.map((k) => patch[k] as string | number | null), id);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM manuals WHERE id = ?').run(id).changes > 0;
  }

  /** Whose manual this is, whoever asks (for the answer-cache versions, never for a read path). */
  async ownerOf(id: string): Promise<string | null> {
    return (this.db.prepare('SELECT owner_id FROM manuals WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
  }

  async countByBlobKey(blobKey: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM manuals WHERE blob_key = ?').get(blobKey) as { n: number }).n;
  }
}
