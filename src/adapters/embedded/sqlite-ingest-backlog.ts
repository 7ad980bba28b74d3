import type { IngestBacklog } from '../../core/ports/ingest-backlog.js';
import type { SqliteDb } from './sqlite-db.js';

/** Reads the job queue's and the manuals' tables of the same file (indexed: jobs by status). */
export class SqliteIngestBacklog implements IngestBacklog {
  constructor(
    private readonly db: SqliteDb,
    private readonly hasEmbedder: boolean,
  ) {}

  private jobs(status: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE status = ?').get(status) as { n: number }).n;
  }

  async queued(): Promise<number> {
    return this.jobs('queued');
  }

  async inProgress(): Promise<number> {
    return this.jobs('processing');
  }

  async embeddingBacklog(): Promise<number> {
    if (!this.hasEmbedder) return 0;
    const r = this.db
      .prepare("SELECT COALESCE(SUM(chunks - embedded_chunks), 0) AS n FROM manuals WHERE status IN ('queued', 'processing', 'completed') AND chunks > embedded_chunks")
      .get() as { n: number };
    return r.n;
  }
}
