import type { SqliteDb } from './sqlite-db.js';

interface ManualVectors {
  rowids: Int32Array;
  matrix: Float32Array;
  dims: number;
}

/**
 * Brute-force cosine search over unit vectors stored as BLOBs in `kb_vectors`. Each manual's vectors
 * are decoded once into one contiguous Float32Array (a few MB for a large manual) and kept until the
 * manual's vectors change; a scan of a few thousand 512-d vectors takes a few milliseconds, so no
 * approximate index is needed at this scale.
 */
export class SqliteVectorCache {
  private readonly cache = new Map<string, ManualVectors>();

  constructor(private readonly db: SqliteDb) {}

  invalidate(manualId: string): void {
    this.cache.delete(manualId);
  }

  /** Best `limit` chunk rowids by dot product with `vector` (= cosine, all vectors being unit length). */
  top(manualIds: string[], vector: Float32Array, limit: number): { rowid: number; score: number }[] {
    const top: { rowid: number; score: number }[] = [];
    for (const m of manualIds) {
      const mv = this.vectorsOf(m);
      if (!mv || mv.dims !== vector.length) continue;
      for (let i = 0; i < mv.rowids.length; i++) {
        let s = 0;
        const off = i * mv.dims;
        for (let d = 0; d < mv.dims; d++) s += mv.matrix[off + d]! * vector[d]!;
        if (top.length < limit || s > top[top.length - 1]!.score) {
          top.push({ rowid: mv.rowids[i]!, score: s });
          top.sort((a, b) => b.score - a.score);
          if (top.length > limit) top.pop();
        }
      }
    }
    return top;
  }

  private vectorsOf(manualId: string): ManualVectors | null {
    const cached = this.cache.get(manualId);
    if (cached) return cached;
    const rows = this.db.prepare('SELECT chunk_rowid, vector FROM kb_vectors WHERE manual_id = ? ORDER BY chunk_rowid').all(manualId) as {
      chunk_rowid: number;
      vector: Buffer;
    }[];
    if (rows.length === 0) return null;
    const dims = rows[0]!.vector.byteLength / 4;
    const matrix = new Float32Array(rows.length * dims);
    const rowids = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      rowids[i] = r.chunk_rowid;
      // Copy first: a BLOB's Buffer may sit at an offset a Float32Array view cannot use.
      matrix.set(new Float32Array(new Uint8Array(r.vector).buffer, 0, dims), i * dims);
    });
    const mv = { rowids, matrix, dims };
    this.cache.set(manualId, mv);
    return mv;
  }
}
