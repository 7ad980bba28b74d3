import type { Chunk, SearchHit } from '../../core/model/types.js';
import type { SearchQuery } from '../../core/ports/knowledge-base.js';
import { bm25, queryPhrases, type TextIndex } from '../search/bm25-index.js';
import type { ShardRecord } from './kb-shard-codec.js';

/** The in-memory side of S3KnowledgeBase: loaded shards, the two search legs, and vector updates. */

/** A manual's shard as loaded: its record, its keyword index and where each chunk sits. */
export interface Shard {
  key: string;
  etag: string;
  record: ShardRecord;
  index: TextIndex;
  byId: Map<string, number>;
  used: number;
}

/**
 * Every call answers with new chunk objects, as SqliteKnowledgeBase does: a caller may change what it
 * got without touching the cache.
 */
export const copy = (c: Chunk): Chunk => ({ ...c });

/** The shard's record with these vectors stored (null when none of the chunks is in it). */
export function withVectors(shard: Shard, items: { chunkId: string; vector: Float32Array }[]): ShardRecord | null {
  const known = items.filter((i) => shard.byId.has(i.chunkId));
  if (known.length === 0) return null;
  const r = shard.record;
  const dims = r.dims || known[0]!.vector.length;
  if (known.some((i) => i.vector.length !== dims)) throw new Error(`vectors of manual ${r.manualId} must have ${dims} dimensions`);
  const vectorRow = Int32Array.from(r.vectorRow);
  let rows = r.vectors.length / Math.max(1, dims);
  const added = known.filter((i) => vectorRow[shard.byId.get(i.chunkId)!]! < 0).length;
  const vectors = new Float32Array((rows + added) * dims);
  vectors.set(r.vectors);
  for (const { chunkId, vector } of known) {
    const doc = shard.byId.get(chunkId)!;
    if (vectorRow[doc]! < 0) vectorRow[doc] = rows++;
    vectors.set(vector, vectorRow[doc]! * dims);
  }
  return { ...r, dims, vectorRow, vectors };
}

export function keywordSearch(shards: Shard[], query: SearchQuery, inScope: (s: Shard) => boolean): SearchHit[] {
  const phrases = queryPhrases(query.text, query.prefix);
  if (phrases.length === 0) return [];
  const scored = bm25(
    shards.map((s) => s.index),
    phrases,
    (shard) => inScope(shards[shard]!),
    query.limit,
  );
  const best = scored[0]?.score ?? 1;
  return scored.map(({ shard, doc, score }) => ({
    chunk: copy(shards[shard]!.record.chunks[doc]!),
    manualName: shards[shard]!.record.manualName,
    score: best > 0 ? score / best : 0,
  }));
}

/** Best `limit` chunks by dot product (= cosine: vectors are unit length), clamped to 0..1. */
export function vectorSearch(shards: Shard[], vector: Float32Array, limit: number): SearchHit[] {
  const top: { shard: Shard; doc: number; score: number }[] = [];
  for (const shard of shards) {
    const { dims, vectors, vectorRow } = shard.record;
    if (dims !== vector.length) continue;
    for (let doc = 0; doc < vectorRow.length; doc++) {
      const row = vectorRow[doc]!;
      if (row < 0) continue;
      let s = 0;
      for (let d = 0, off = row * dims; d < dims; d++) s += vectors[off + d]! * vector[d]!;
      if (top.length === limit && s <= top[limit - 1]!.score) continue;
      let j = top.length < limit ? top.length : limit - 1;
      top[j] = { shard, doc, score: s };
      while (j > 0 && top[j - 1]!.score < s) {
        [top[j], top[j - 1]] = [top[j - 1]!, top[j]!];
        j--;
      }
    }
  }
  return top.map(({ shard, doc, score }) => ({ chunk: copy(shard.record.chunks[doc]!), manualName: shard.record.manualName, score: Math.max(0, Math.min(1, score)) }));
}
