import type { Chunk, SearchHit } from '../model/types.js';

export interface SearchQuery {
  text: string;
  /**
   * Keyword search also matches words the question's words begin ("admin" finds "administrator",
   * "config" finds "configuration", "forgot" finds "forgotten"): the manual's longer forms of a
   * user's word. An index that cannot match prefixes ignores it.
   */
  prefix?: boolean;
  /** Dense vector of the question, when an embedder is available. */
  vector?: Float32Array | null;
  /** Owner ids whose manuals may be searched (the caller + SHARED_OWNER). Mandatory. */
  owners: readonly string[];
  /** Optional narrowing to some manuals (still filtered by owners). */
  manualIds?: readonly string[];
  limit: number;
}

/** The search index: keyword (BM25) and vectors, always filtered by owner. */
export interface KnowledgeBase {
  /** Replace all chunks of a manual (keyword-searchable as soon as this returns). */
  indexChunks(manualId: string, ownerId: string, manualName: string, chunks: Chunk[]): Promise<void>;
  /** Store vectors for chunks already indexed. */
  putVectors(items: { chunkId: string; vector: Float32Array }[]): Promise<void>;
  /** Chunks of a manual that have no vector yet. */
  chunksWithoutVectors(manualId: string, limit: number): Promise<Chunk[]>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  /** All chunks of the given pages, in reading order, still filtered by owner (to widen a passage). */
  pageChunks?(owners: readonly string[], pages: { manualId: string; pageNumber: number }[]): Promise<Chunk[]>;
  /**
   * How many of the visible chunks contain each word or phrase (matched the way the index matches),
   * and how many chunks there are: lets the core weigh rare question words over common ones.
   */
  documentFrequencies?(owners: readonly string[], terms: string[]): Promise<{ total: number; df: Record<string, number> }>;
  /** Distinctive terms of the caller's manuals (for speech recognition biasing). */
  vocabulary?(owners: readonly string[], limit: number): Promise<string[]>;
  deleteManual(manualId: string): Promise<{ chunks: number; vectors: number }>;
}
