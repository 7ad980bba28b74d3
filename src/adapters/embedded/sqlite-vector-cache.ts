import type { SqliteDb } from './sqlite-db.js';

interface ManualVectors {
  rowids: Int32Array;
  matrix: Float32Array;
  dims: number;
  /** kb_vector_versions.version when loaded: any write to the manual's vectors, by any process, bumps it. */
  version: number;
}

/**
 * Brute-force cosine search over unit vectors stored as BLOBs in `kb_vectors`. Each manual's vectors
 * are decoded once into one contiguous Float32Array (a few MB for a large manual) and kept until the
 * manual's vectors change; a scan of a few thousand 512-d vectors takes a few milliseconds, so no
 * approximate index is needed at this scale.
 */
export class SqliteVectorCache {
  private readonly cache = new Map<string, ManualVectors>();
  private readonly shape;
  private readonly load;

  constructor(private readonly db: SqliteDb) {
    // One primary-key lookup per manual and question: cheap.
    this.shape = db.prepare('SELECT version FROM kb_vector_versions WHERE manual_id = ?');
    this.load = db.prepare('SELECT chunk_rowid, vector FROM kb_vectors WHERE manual_id = ? ORDER BY chunk_rowid');
  }

  /**
   * Decodes the vectors of the manuals not yet cached, one manual per turn of the event loop, until
   * `maxVectors` are held: a process's first question otherwise pays for them all (~370 ms for 2,333
   * vectors, cold). The cap keeps a server of many tenants from loading every library at start
   * (20,000 vectors are ~40 MB); the rest are decoded when a question first needs them, as before.
   */
  async warm(maxVectors = 20_000): Promise<number> {
    const manualIds = this.db.prepare('SELECT manual_id FROM kb_vector_versions').pluck().all() as string[];
    let held = 0;
    for (const m of manualIds) {
      if (held >= maxVectors) break;
      await new Promise((resolve) => setImmediate(resolve));
      held += this.vectorsOf(m)?.rowids.length ?? 0;
    }
    return held;
  }

  invalidate(manualId: string): void {
    this.cache.delete(manualId);
  }

  /**
   * Best `limit` chunk rowids by dot product with `vector` (= cosine, all vectors being unit length).
   * It runs for every new question on the request thread, so it is written for speed: four partial
   * sums per row (independent additions pipeline better than one long chain), and a fixed-size sorted
   * top list that most rows never enter (one comparison with its smallest score).
   */
  top(manualIds: string[], vector: Float32Array, limit: number): { rowid: number; score: number }[] {
    if (limit <= 0) return [];
    const topScore = new Float64Array(limit).fill(Number.NEGATIVE_INFINITY);
    const topRowid = new Float64Array(limit);
    let filled = 0;
    for (const m of manualIds) {
      const mv = this.vectorsOf(m);
      if (!mv || mv.dims !== vector.length) continue;
      const { matrix, rowids, dims } = mv;
      for (let i = 0, off = 0; i < rowids.length; i++, off += dims) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let d = 0;
        for (; d + 3 < dims; d += 4) {
          s0 += matrix[off + d]! * vector[d]!;
          s1 += matrix[off + d + 1]! * vector[d + 1]!;
          s2 += matrix[off + d + 2]! * vector[d + 2]!;
          s3 += matrix[off + d + 3]! * vector[d + 3]!;
        }
        for (; d < dims; d++) s0 += matrix[off + d]! * vector[d]!;
        const s = s0 + s1 + s2 + s3;
        if (filled === limit && s <= topScore[limit - 1]!) continue;
        // Insert in descending order; the smallest falls off the end once the list is full.
        let j = filled < limit ? filled++ : limit - 1;
        while (j > 0 && topScore[j - 1]! < s) {
          topScore[j] = topScore[j - 1]!;
          topRowid[j] = topRowid[j - 1]!;
          j--;
        }
        topScore[j] = s;
        topRowid[j] = rowids[i]!;
      }
    }
    return Array.from({ length: filled }, (_, j) => ({ rowid: topRowid[j]!, score: topScore[j]! }));
  }

  /**
   * The manual's vectors, decoded once. Another process on the same file (a cluster sibling that
   * ingests) may have added, replaced or deleted rows since they were cached — and chunk rowids are
   * reused after a re-index, so stale vectors could point at other chunks: the manual's vector
   * version (bumped by triggers on every write) tells, and the manual is decoded again.
   */
  private vectorsOf(manualId: string): ManualVectors | null {
    const cached = this.cache.get(manualId);
    const version = (this.shape.get(manualId) as { version: number } | undefined)?.version ?? 0;
    if (cached && cached.version === version) return cached;
    const rows = this.load.all(manualId) as {
      chunk_rowid: number;
      vector: Buffer;
    }[];
    if (rows.length === 0) {
      this.cache.delete(manualId);
      return null;
    }
    const dims = rows[0]!.vector.byteLength / 4;
    const matrix = new Float32Array(rows.length * dims);
    const rowids = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      rowids[i] = r.chunk_rowid;
      matrix.set(vectorFromBlob(r.vector).subarray(0, dims), i * dims);
    });
    const mv = { rowids, matrix, dims, version };
    this.cache.set(manualId, mv);
    return mv;
  }
}

/** A stored vector's BLOB as floats. Copied first: a BLOB's Buffer may sit at an offset a Float32Array view cannot use. */
export function vectorFromBlob(blob: Buffer): Float32Array {
  return new Float32Array(new Uint8Array(blob).buffer);
}
