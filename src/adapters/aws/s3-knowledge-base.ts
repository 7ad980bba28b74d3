import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Chunk, SearchHit } from '../../core/model/types.js';
import type { KnowledgeBase, SearchQuery } from '../../core/ports/knowledge-base.js';
import { distinctiveTerms } from '../embedded/vocabulary-terms.js';
import { documentCount, termPhrase, TextIndex } from '../search/bm25-index.js';
import { decodeShard, encodeShard, type ShardRecord } from './kb-shard-codec.js';
import { copy, keywordSearch, vectorSearch, withVectors, type Shard } from './kb-shard-search.js';

export interface S3KnowledgeBaseOptions {
  /** Key prefix of the index in the bucket (default `kb/`). */
  prefix?: string;
  /**
   * How long a listing of an owner's shards is trusted (ms, default 1000): the few searches of one
   * question share one listing; another container's upload or delete is seen within this time.
   */
  listTtlMs?: number;
  /** Chunks kept decoded in memory (default 50 000: about 400 MB at the ~8 KiB per chunk measured with 512-d vectors); beyond it the least recently used shards go. */
  maxCachedChunks?: number;
  now?: () => number;
}

interface Listing {
  at: number;
  /** Shard key -> ETag. */
  entries: Map<string, string>;
}

const enc = encodeURIComponent;
const statusOf = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * The knowledge base of the aws shape, for Lambda: one S3 object per manual (`<prefix>owners/<owner>/
 * <manual>.mkb`: chunks and vectors, kb-shard-codec.ts) and a pointer per manual (`<prefix>manuals/
 * <manual>.json`: its owner, as deleteManual and putVectors get only ids). A search lists the shards of
 * the caller's owners only, loads the new or changed ones (by ETag) into memory, kept while the
 * container is warm, and runs the same BM25 as SqliteKnowledgeBase's FTS5 (bm25-index.ts) and a
 * brute-force cosine scan. Another owner's shard is never read. Writers of one manual are expected one
 * at a time (its ingest job); the shard is still written with If-Match, so a race is retried, not lost.
 */
export class S3KnowledgeBase implements KnowledgeBase {
  private readonly prefix: string;
  private readonly listTtlMs: number;
  private readonly maxCachedChunks: number;
  private readonly now: () => number;
  private readonly shards = new Map<string, Shard>();
  private readonly listings = new Map<string, Listing>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    opts: S3KnowledgeBaseOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'kb/';
    this.listTtlMs = opts.listTtlMs ?? 1000;
    this.maxCachedChunks = opts.maxCachedChunks ?? 50_000;
    this.now = opts.now ?? Date.now;
  }

  private ownerPrefix = (ownerId: string) => `${this.prefix}owners/${enc(ownerId)}/`;
  private shardKey = (ownerId: string, manualId: string) => `${this.ownerPrefix(ownerId)}${enc(manualId)}.mkb`;
  private pointerKey = (manualId: string) => `${this.prefix}manuals/${enc(manualId)}.json`;

  async indexChunks(manualId: string, ownerId: string, manualName: string, chunks: Chunk[]): Promise<void> {
    const previous = await this.ownerOf(manualId);
    const record: ShardRecord = {
      manualId,
      ownerId,
      manualName,
      indexedAt: this.now(),
      chunks: chunks.map((c) => ({ ...c, manualId, ownerId })),
      dims: 0,
      vectorRow: new Int32Array(chunks.length).fill(-1),
      vectors: new Float32Array(0),
    };
    // The pointer first: a shard is never left without the pointer that deleteManual needs.
    if (previous !== ownerId) await this.put(this.pointerKey(manualId), Buffer.from(JSON.stringify({ ownerId })), 'application/json');
    this.owners.set(manualId, ownerId);
    await this.writeShard(record, null);
    if (previous && previous !== ownerId) await this.remove(this.shardKey(previous, manualId), previous);
  }

  async putVectors(items: { chunkId: string; vector: Float32Array }[]): Promise<void> {
    const byManual = new Map<string, { chunkId: string; vector: Float32Array }[]>();
    for (const item of items) {
      const manualId = this.manualOfChunk(item.chunkId);
      if (manualId !== null) byManual.set(manualId, [...(byManual.get(manualId) ?? []), item]);
    }
    for (const [manualId, list] of byManual) {
      for (let attempt = 0; ; attempt++) {
        const shard = await this.freshShard(manualId);
        if (!shard) break; // deleted meanwhile
        const record = withVectors(shard, list);
        if (!record) break;
        try {
          await this.writeShard(record, shard.etag);
          break;
        } catch (e) {
          if (statusOf(e) !== 412 || attempt >= 3) throw e; // a concurrent writer: read its version and apply again
        }
      }
    }
  }

  async chunksWithoutVectors(manualId: string, limit: number): Promise<Chunk[]> {
    const shard = await this.freshShard(manualId);
    if (!shard) return [];
    const { chunks, vectorRow } = shard.record;
    return chunks
      .filter((_, i) => vectorRow[i]! < 0)
      .map(copy)
      .sort((a, b) => a.ordinal - b.ordinal)
      .slice(0, Math.max(0, limit));
  }

  async deleteManual(manualId: string): Promise<{ chunks: number; vectors: number }> {
    const ownerId = await this.ownerOf(manualId);
    if (!ownerId) return { chunks: 0, vectors: 0 };
    const shard = await this.freshShard(manualId);
    const counts = shard ? { chunks: shard.record.chunks.length, vectors: shard.record.vectorRow.filter((r) => r >= 0).length } : { chunks: 0, vectors: 0 };
    await this.remove(this.shardKey(ownerId, manualId), ownerId);
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.pointerKey(manualId) }));
    this.owners.delete(manualId);
    return counts;
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.owners.length === 0 || query.limit <= 0) return [];
    const shards = await this.visible(query.owners);
    const manuals = query.manualIds ? new Set(query.manualIds) : null;
    const inScope = (s: Shard) => !manuals || manuals.has(s.record.manualId);
    const keyword = query.text.trim() ? keywordSearch(shards, query, inScope) : [];
    const dense = query.vector ? vectorSearch(shards.filter(inScope), query.vector, query.limit) : [];
    if (dense.length === 0) return keyword;
    if (keyword.length === 0) return dense;
    // Both legs at once: the same plain reciprocal-rank fusion as SqliteKnowledgeBase.
    const fused = new Map<string, SearchHit>();
    for (const list of [keyword, dense]) {
      list.forEach((h, rank) => fused.set(h.chunk.id, { ...h, score: (fused.get(h.chunk.id)?.score ?? 0) + 1 / (60 + rank) }));
    }
    const out = [...fused.values()].sort((a, b) => b.score - a.score).slice(0, query.limit);
    const top = out[0]?.score ?? 1;
    return out.map((h) => ({ ...h, score: h.score / top }));
  }

  async pageChunks(owners: readonly string[], pages: { manualId: string; pageNumber: number }[]): Promise<Chunk[]> {
    if (pages.length === 0 || owners.length === 0) return [];
    const wanted = new Set(pages.map((p) => `${p.manualId}\u0000${p.pageNumber}`));
    const out: Chunk[] = [];
    for (const s of await this.visible(owners)) {
      for (const c of s.record.chunks) if (wanted.has(`${c.manualId}\u0000${c.pageNumber}`)) out.push(copy(c));
    }
    return out.sort((a, b) => (a.manualId < b.manualId ? -1 : a.manualId > b.manualId ? 1 : a.ordinal - b.ordinal));
  }

  async documentFrequencies(owners: readonly string[], terms: string[]): Promise<{ total: number; df: Record<string, number> }> {
    const shards = owners.length ? await this.visible(owners) : [];
    const indexes = shards.map((s) => s.index);
    const df: Record<string, number> = {};
    for (const term of terms) df[term] = documentCount(indexes, termPhrase(term));
    return { total: indexes.reduce((n, x) => n + x.size, 0), df };
  }

  async vocabulary(owners: readonly string[], limit: number): Promise<string[]> {
    const shards = owners.length ? await this.visible(owners) : [];
    return distinctiveTerms(
      shards.flatMap((s) => s.record.chunks.map((c) => `${c.heading ?? ''}\n${c.text}`)),
      limit,
    );
  }

  // --- S3 and the container's cache ---------------------------------------------------------------

  /** The shards of these owners, up to date within listTtlMs, in indexing order. */
  private async visible(owners: readonly string[]): Promise<Shard[]> {
    const listings = await Promise.all([...new Set(owners)].map((o) => this.listing(o)));
    const entries = listings.flatMap((l) => [...l.entries]);
    const loaded = await Promise.all(entries.map(([key, etag]) => this.shardAt(key, etag)));
    const shards = loaded.filter((s): s is Shard => s !== null);
    const now = this.now();
    for (const s of shards) s.used = now;
    this.evict(new Set(shards));
    return shards.sort((a, b) => a.record.indexedAt - b.record.indexedAt || (a.key < b.key ? -1 : 1));
  }

  private listing(ownerId: string): Promise<Listing> {
    const cached = this.listings.get(ownerId);
    if (cached && this.now() - cached.at < this.listTtlMs) return Promise.resolve(cached);
    return this.once(`list\u0000${ownerId}`, async () => {
      const prefix = this.ownerPrefix(ownerId);
      const entries = new Map<string, string>();
      let token: string | undefined;
      do {
        const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of res.Contents ?? []) if (o.Key?.endsWith('.mkb') && o.ETag) entries.set(o.Key, o.ETag);
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      // Shards deleted by another container leave this one's memory too.
      for (const key of this.shards.keys()) if (key.startsWith(prefix) && !entries.has(key)) this.shards.delete(key);
      const listing = { at: this.now(), entries };
      this.listings.set(ownerId, listing);
      return listing;
    });
  }

  /** The shard at this key and version: from memory when unchanged, else read once. */
  private shardAt(key: string, etag: string): Promise<Shard | null> {
    const cached = this.shards.get(key);
    if (cached && cached.etag === etag) return Promise.resolve(cached);
    return this.once(`get\u0000${key}\u0000${etag}`, async () => {
      try {
        const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        const record = decodeShard(await res.Body!.transformToByteArray());
        // The key decides whose manual it is; a record claiming another owner is served to no one.
        if (record.ownerId !== this.ownerOfKey(key)) return null;
        return this.remember(key, res.ETag ?? etag, record);
      } catch (e) {
        if (statusOf(e) === 404) return null; // deleted since the listing
        throw e;
      }
    });
  }

  /** A manual's shard as S3 has it now (a conditional GET: unchanged ones are not downloaded again). */
  private async freshShard(manualId: string): Promise<Shard | null> {
    const ownerId = await this.ownerOf(manualId);
    if (!ownerId) return null;
    const key = this.shardKey(ownerId, manualId);
    const cached = this.shards.get(key);
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(cached ? { IfNoneMatch: cached.etag } : {}) }));
      return this.remember(key, res.ETag!, decodeShard(await res.Body!.transformToByteArray()));
    } catch (e) {
      if (statusOf(e) === 304 && cached) return cached;
      if (statusOf(e) === 404) {
        this.forget(key, ownerId);
        return null;
      }
      throw e;
    }
  }

  private ownerOfKey = (key: string) => decodeURIComponent(key.slice(`${this.prefix}owners/`.length).split('/')[0]!);

  private remember(key: string, etag: string, record: ShardRecord, index?: TextIndex): Shard {
    const shard: Shard = {
      key,
      etag,
      record,
      index: index ?? new TextIndex(record.chunks),
      byId: new Map(record.chunks.map((c, i) => [c.id, i])),
      used: this.now(),
    };
    this.shards.set(key, shard);
    this.owners.set(record.manualId, record.ownerId);
    this.listings.get(this.ownerOfKey(key))?.entries.set(key, etag);
    return shard;
  }

  private forget(key: string, ownerId: string): void {
    this.shards.delete(key);
    this.listings.get(ownerId)?.entries.delete(key);
  }

  private async writeShard(record: ShardRecord, ifMatch: string | null): Promise<void> {
    const key = this.shardKey(record.ownerId, record.manualId);
    const previous = this.shards.get(key);
    const res = await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: encodeShard(record), ContentType: 'application/octet-stream', ...(ifMatch ? { IfMatch: ifMatch } : {}) }),
    );
    // New vectors only: the keyword index of the chunks is reused.
    const sameChunks = previous && previous.record.chunks === record.chunks ? previous.index : undefined;
    this.remember(key, res.ETag!, record, sameChunks);
  }

  private async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  private async remove(key: string, ownerId: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    this.forget(key, ownerId);
  }

  /** The owner of a manual, from memory or its pointer object. */
  private async ownerOf(manualId: string): Promise<string | null> {
    const known = this.owners.get(manualId);
    if (known) return known;
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.pointerKey(manualId) }));
      const { ownerId } = JSON.parse(await res.Body!.transformToString()) as { ownerId: string };
      this.owners.set(manualId, ownerId);
      return ownerId;
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  /**
   * The manual of a chunk id: a loaded shard that holds it, else the chunker's id format
   * (`<manualId>:<page>:<n>`), which freshShard then checks against the shard itself.
   */
  private manualOfChunk(chunkId: string): string | null {
    for (const s of this.shards.values()) if (s.byId.has(chunkId)) return s.record.manualId;
    const last = chunkId.lastIndexOf(':');
    const cut = last > 0 ? chunkId.lastIndexOf(':', last - 1) : -1;
    return cut > 0 ? chunkId.slice(0, cut) : null;
  }

  /** One request per key at a time: the parallel legs of one question share a listing or a download. */
  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = run().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Least recently used shards beyond maxCachedChunks leave memory (never those of the current search). */
  private evict(keep: Set<Shard>): void {
    let total = 0;
    for (const s of this.shards.values()) total += s.record.chunks.length;
    if (total <= this.maxCachedChunks) return;
    for (const s of [...this.shards.values()].sort((a, b) => a.used - b.used)) {
      if (total <= this.maxCachedChunks) break;
      if (keep.has(s)) continue;
      this.shards.delete(s.key);
      total -= s.record.chunks.length;
    }
  }
}
