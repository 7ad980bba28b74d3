import type { RecognitionCorpus } from '../../core/ports/recognition-corpus.js';
import type { SqliteDb } from './sqlite-db.js';

/**
 * Reads the indexed chunk text (table `kb_chunks` of SqliteKnowledgeBase) of the manuals the
 * caller sees. Read-only; an index that does not exist yet simply yields no text.
 */
export class SqliteRecognitionCorpus implements RecognitionCorpus {
  constructor(private readonly db: SqliteDb) {}

  async passages(owners: readonly string[], maxWords: number): Promise<string[]> {
    if (owners.length === 0) return [];
    let rows: { text: string }[];
    try {
      rows = this.db
        .prepare(`SELECT text FROM kb_chunks WHERE owner_id IN (${owners.map(() => '?').join(',')}) ORDER BY manual_id, ordinal`)
        .all(...owners) as { text: string }[];
    } catch {
      return [];
    }
    // Over the budget, every k-th passage: all manuals stay represented rather than the first few.
    const total = rows.reduce((n, r) => n + r.text.split(/\s+/).length, 0);
    const stride = Math.max(1, Math.ceil(total / Math.max(1, maxWords)));
    const out = rows.filter((_, i) => i % stride === 0).map((r) => r.text);
    return out;
  }
}
