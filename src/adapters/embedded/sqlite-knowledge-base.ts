import type { Chunk, SearchHit } from '../../core/model/types.js';
import type { KnowledgeBase, SearchQuery } from '../../core/ports/knowledge-base.js';
import { queryTerms } from '../../core/ask/query-terms.js';
import type { Statement } from 'better-sqlite3';
import type { SqliteDb } from './sqlite-db.js';
import { migrate, ownerFilter } from './sqlite-migrations.js';
import { SqliteVectorCache, vectorFromBlob } from './sqlite-vector-cache.js';
import { distinctiveTerms } from './vocabulary-terms.js';
import { bm25WithStatistics, documentTokens, queryPhrases, type DocumentTokens } from '../search/bm25-index.js';

const SCHEMA = [
  `CREATE TABLE kb_chunks (
     rowid INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     manual_id TEXT NOT NULL,
     owner_id TEXT NOT NULL,
     manual_name TEXT NOT NULL,
     page_number INTEGER NOT NULL,
     page_label TEXT,
     heading TEXT,
     text TEXT NOT NULL,
     ordinal INTEGER NOT NULL
   );
   CREATE INDEX kb_chunks_manual ON kb_chunks(manual_id, ordinal);
   CREATE INDEX kb_chunks_owner ON kb_chunks(owner_id, manual_id);
   CREATE TABLE kb_vectors (
     chunk_rowid INTEGER PRIMARY KEY REFERENCES kb_chunks(rowid) ON DELETE CASCADE,
     manual_id TEXT NOT NULL,
     vector BLOB NOT NULL
   );
   CREATE INDEX kb_vectors_manual ON kb_vectors(manual_id);
   -- Porter stems ("forwarding" finds "forward"); compound tokens like 49152-50175 are split here and
   -- searched as phrases, which matches them exactly without gluing "pop-up" or "Ports/Services".
   CREATE VIRTUAL TABLE kb_fts USING fts5(text, heading, content='kb_chunks', content_rowid='rowid',
     tokenize = 'porter unicode61 remove_diacritics 2');
   CREATE TRIGGER kb_chunks_ai AFTER INSERT ON kb_chunks BEGIN
     INSERT INTO kb_fts(rowid, text, heading) VALUES (new.rowid, new.text, coalesce(new.heading, ''));
   END;
   CREATE TRIGGER kb_chunks_ad AFTER DELETE ON kb_chunks BEGIN
     INSERT INTO kb_fts(kb_fts, rowid, text, heading) VALUES ('delete', old.rowid, old.text, coalesce(old.heading, ''));
   END;`,
  // A version per manual, bumped by every write to its vectors (cascaded deletes too), so a process
  // that cached a manual's vectors can tell that a sibling process changed them (SqliteVectorCache).
  `CREATE TABLE kb_vector_versions (manual_id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
   CREATE TRIGGER kb_vectors_version_ai AFTER INSERT ON kb_vectors BEGIN
     INSERT INTO kb_vector_versions (manual_id, version) VALUES (new.manual_id, 1) ON CONFLICT (manual_id) DO UPDATE SET version = version + 1;
   END;
   CREATE TRIGGER kb_vectors_version_au AFTER UPDATE ON kb_vectors BEGIN
     INSERT INTO kb_vector_versions (manual_id, version) VALUES (new.manual_id, 1) ON CONFLICT (manual_id) DO UPDATE SET version = version + 1;
   END;
   CREATE TRIGGER kb_vectors_version_ad AFTER DELETE ON kb_vectors BEGIN
     INSERT INTO kb_vector_versions (manual_id, version) VALUES (old.manual_id, 1) ON CONFLICT (manual_id) DO UPDATE SET version = version + 1;
   END;`,
  // pageChunks (every new question): straight to a page's chunks instead of scanning the manual's.
  `CREATE INDEX kb_chunks_page ON kb_chunks(manual_id, page_number, ordinal);`,
  // A generation bumped by every write to kb_chunks, by any process on the file: what a process
  // derived from the chunks (document frequencies, the manuals of a scope) is kept until it moves.
  `CREATE TABLE kb_generation (id INTEGER PRIMARY KEY CHECK (id = 0), value INTEGER NOT NULL);
   INSERT INTO kb_generation (id, value) VALUES (0, 0);
   CREATE TRIGGER kb_chunks_generation_ai AFTER INSERT ON kb_chunks BEGIN UPDATE kb_generation SET value = value + 1 WHERE id = 0; END;
   CREATE TRIGGER kb_chunks_generation_au AFTER UPDATE ON kb_chunks BEGIN UPDATE kb_generation SET value = value + 1 WHERE id = 0; END;
   CREATE TRIGGER kb_chunks_generation_ad AFTER DELETE ON kb_chunks BEGIN UPDATE kb_generation SET value = value + 1 WHERE id = 0; END;`,
];

/** The pool FTS5 ranks before the scope's own statistics rank it again: this many times what was asked, at least this many more. */
const RESCORE_DEPTH = 2;
const RESCORE_EXTRA = 20;

/** Rows in the whole index, and those a scope (owners, manuals) sees. */
interface ScopeCounts {
  all: number;
  visible: number;
}

/** A scope (SQL filter and its parameters) as a key of the remembered figures. */
const scopeKey = (scope: { sql: string; params: string[] }) => `${scope.sql}\u0000${scope.params.join('\u0000')}`;

/** A pool row gone since FTS5 listed it (a concurrent delete): it matches nothing. */
const NO_TOKENS = documentTokens({ text: '', heading: null });

/** The sum of an FTS5 docsize record: one SQLite varint per column (tokens in that column). */
export function columnSizesTotal(sz: Uint8Array): number {
  let total = 0;
  let i = 0;
  while (i < sz.length) {
    let v = 0;
    for (let k = 0; k < 9 && i < sz.length; k++) {
      const b = sz[i++]!;
      if (k === 8) {
        v = v * 256 + b;
        break;
      }
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    total += v;
  }
  return total;
}

/** Derived figures remembered per generation (document frequencies, scopes); then started over. */
const DERIVED_CACHE_SIZE = 50_000;

/** Text matches weigh more than heading matches: a heading is shared by every chunk of its section. */
const BM25 = 'bm25(kb_fts, 1.0, 0.6)';

interface ChunkRow {
  rowid: number;
  id: string;
  manual_id: string;
  owner_id: string;
  manual_name: string;
  page_number: number;
  page_label: string | null;
  heading: string | null;
  text: string;
  ordinal: number;
}

const toChunk = (r: ChunkRow): Chunk => ({
  id: r.id,
  manualId: r.manual_id,
  ownerId: r.owner_id,
  pageNumber: r.page_number,
  pageLabel: r.page_label,
  heading: r.heading,
  text: r.text,
  ordinal: r.ordinal,
});

/**
 * FTS5 (BM25) and vectors in the app's SQLite file. A query with text runs the keyword leg, a query
 * with a vector the dense leg; the caller (core/ask/retrieve) fuses them. Vectors are scanned
 * brute force by SqliteVectorCache.
 */
export class SqliteKnowledgeBase implements KnowledgeBase {
  private readonly vectors: SqliteVectorCache;
  /** Search statements by SQL text (their shape varies only with the number of owners and manuals). */
  private readonly statements = new Map<string, Statement>();
  private readonly generation: Statement;
  /**
   * Figures that depend only on the chunks, for the generation they were read at: a chunk count per
   * scope, a document frequency per scope and term, the manuals of a scope. Every new question
   * counted ~40 terms (its own and its feedback terms) with one FTS query each, the same words
   * question after question.
   */
  private derived = { generation: -1, values: new Map<string, unknown>() };

  constructor(private readonly db: SqliteDb) {
    migrate(db, 'knowledge_base', SCHEMA);
    this.vectors = new SqliteVectorCache(db);
    this.generation = db.prepare('SELECT value FROM kb_generation WHERE id = 0').pluck();
  }

  /** The remembered figures, emptied when any process changed the chunks since they were read. */
  private derivedValues(): Map<string, unknown> {
    const generation = this.generation.get() as number;
    if (generation !== this.derived.generation || this.derived.values.size >= DERIVED_CACHE_SIZE) this.derived = { generation, values: new Map() };
    return this.derived.values;
  }

  private remembered<T>(values: Map<string, unknown>, key: string, read: () => T): T {
    let v = values.get(key) as T | undefined;
    if (v === undefined) values.set(key, (v = read()));
    return v;
  }

  /** Decodes the manuals' vectors ahead of the first question (SqliteVectorCache.warm); the number held. */
  warmVectors(maxVectors?: number): Promise<number> {
    return this.vectors.warm(maxVectors);
  }

  /**
   * Up to `limit` chunks picked at random across the index, each with its stored vector (null when it
   * has none yet): the passages a new process warms its answer path on (core/ask/warm-up.ts).
   */
  sampleChunks(limit: number): { chunk: Chunk; vector: Float32Array | null }[] {
    if (limit <= 0) return [];
    const last = (this.db.prepare('SELECT max(rowid) FROM kb_chunks').pluck().get() as number | null) ?? 0;
    // The first chunk at or after a random rowid, `limit` times: a few index look-ups however large the
    // index is (ORDER BY random() would sort all of it). Gaps left by deleted manuals only skew the pick.
    const at = this.db.prepare(`SELECT c.*, v.vector FROM kb_chunks c LEFT JOIN kb_vectors v ON v.chunk_rowid = c.rowid WHERE c.rowid >= ? ORDER BY c.rowid LIMIT 1`);
    const picked = new Map<number, ChunkRow & { vector: Buffer | null }>();
    for (let i = 0; i < limit * 4 && picked.size < limit && last > 0; i++) {
      const r = at.get(1 + Math.floor(Math.random() * last)) as (ChunkRow & { vector: Buffer | null }) | undefined;
      if (r) picked.set(r.rowid, r);
    }
    return [...picked.values()].map((r) => ({ chunk: toChunk(r), vector: r.vector ? vectorFromBlob(r.vector) : null }));
  }

  async indexChunks(manualId: string, ownerId: string, manualName: string, chunks: Chunk[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO kb_chunks (id, manual_id, owner_id, manual_name, page_number, page_label, heading, text, ordinal)
       VALUES (@id, @manualId, @ownerId, @manualName, @pageNumber, @pageLabel, @heading, @text, @ordinal)`,
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM kb_chunks WHERE manual_id = ?').run(manualId);
      for (const c of chunks) insert.run({ ...c, manualId, ownerId, manualName });
    })();
    this.vectors.invalidate(manualId);
  }

  async putVectors(items: { chunkId: string; vector: Float32Array }[]): Promise<void> {
    const find = this.db.prepare('SELECT rowid, manual_id FROM kb_chunks WHERE id = ?');
    const put = this.db.prepare('INSERT OR REPLACE INTO kb_vectors (chunk_rowid, manual_id, vector) VALUES (?, ?, ?)');
    const touched = new Set<string>();
    this.db.transaction(() => {
      for (const { chunkId, vector } of items) {
        const row = find.get(chunkId) as { rowid: number; manual_id: string } | undefined;
        if (!row) continue; // the manual was deleted or re-indexed meanwhile
        put.run(row.rowid, row.manual_id, Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength));
        touched.add(row.manual_id);
      }
    })();
    for (const m of touched) this.vectors.invalidate(m);
  }

  async chunksWithoutVectors(manualId: string, limit: number): Promise<Chunk[]> {
    const rows = this.db
      .prepare(
        `SELECT c.* FROM kb_chunks c LEFT JOIN kb_vectors v ON v.chunk_rowid = c.rowid
         WHERE c.manual_id = ? AND v.chunk_rowid IS NULL ORDER BY c.ordinal LIMIT ?`,
      )
      .all(manualId, limit) as ChunkRow[];
    return rows.map(toChunk);
  }

  /** A prepared statement, compiled once: every question runs the same few search statements. */
  private stmt(sql: string): Statement {
    let st = this.statements.get(sql);
    if (!st) {
      if (this.statements.size >= 200) this.statements.clear(); // an odd manual_ids list each time cannot grow it for ever
      this.statements.set(sql, (st = this.db.prepare(sql)));
    }
    return st;
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    if (query.owners.length === 0 || query.limit <= 0) return [];
    const keyword = query.text.trim() ? this.keywordSearch(query) : [];
    const dense = query.vector ? this.vectorSearch(query, query.vector) : [];
    if (dense.length === 0) return keyword;
    if (keyword.length === 0) return dense;
    // Both legs asked for at once: a plain reciprocal-rank fusion (core/ask/retrieve does better).
    const fused = new Map<string, SearchHit>();
    for (const list of [keyword, dense]) {
      list.forEach((h, rank) => {
        const prev = fused.get(h.chunk.id);
        const add = 1 / (60 + rank);
        fused.set(h.chunk.id, { ...h, score: (prev?.score ?? 0) + add });
      });
    }
    const out = [...fused.values()].sort((a, b) => b.score - a.score).slice(0, query.limit);
    const top = out[0]?.score ?? 1;
    return out.map((h) => ({ ...h, score: h.score / top }));
  }

  /**
   * The chunks of the given pages, remembered per generation and page (every new question reads
   * ~20 pages, the popular ones again and again). A manual has one owner: the rows of a page are
   * kept whoever asked, and filtered by the caller's owners here.
   */
  async pageChunks(owners: readonly string[], pages: { manualId: string; pageNumber: number }[]): Promise<Chunk[]> {
    if (pages.length === 0 || owners.length === 0) return [];
    const values = this.derivedValues();
    const key = (p: { manualId: string; pageNumber: number }) => `page\u0000${p.manualId}\u0000${p.pageNumber}`;
    const unread = pages.filter((p) => !values.has(key(p)));
    if (unread.length > 0) {
      const pageSql = unread.map(() => '(manual_id = ? AND page_number = ?)').join(' OR ');
      const rows = this.stmt(`SELECT * FROM kb_chunks WHERE ${pageSql} ORDER BY ordinal`).all(...unread.flatMap((p) => [p.manualId, p.pageNumber])) as ChunkRow[];
      for (const p of unread) values.set(key(p), []);
      for (const r of rows) (values.get(key({ manualId: r.manual_id, pageNumber: r.page_number })) as ChunkRow[]).push(r);
    }
    const visible = new Set(owners);
    const seen = new Set<string>();
    const out: ChunkRow[] = [];
    for (const p of pages) {
      const k = key(p);
      if (seen.has(k)) continue;
      seen.add(k);
      for (const r of values.get(k) as ChunkRow[]) if (visible.has(r.owner_id)) out.push(r);
    }
    return out.sort((a, b) => (a.manual_id < b.manual_id ? -1 : a.manual_id > b.manual_id ? 1 : a.ordinal - b.ordinal)).map(toChunk);
  }

  async documentFrequencies(owners: readonly string[], terms: string[]): Promise<{ total: number; df: Record<string, number> }> {
    const f = ownerFilter('c.owner_id', owners);
    const values = this.derivedValues();
    const scope = `${owners.join('\u0000')}\u0001`;
    const total = this.remembered(values, `${scope}total`, () => (this.stmt(`SELECT count(*) AS n FROM kb_chunks c WHERE ${f.sql}`).get(...f.params) as { n: number }).n);
    const df: Record<string, number> = {};
    for (const term of terms) {
      const words = term.normalize('NFKC').match(/[\p{L}\p{N}]+/gu);
      if (!words) {
        df[term] = 0;
        continue;
      }
      df[term] = this.matchingInScope(values, f, `"${words.join(' ')}"`);
    }
    return { total, df };
  }

  async vocabulary(owners: readonly string[], limit: number): Promise<string[]> {
    const f = ownerFilter('owner_id', owners);
    const rows = this.db.prepare(`SELECT text, heading FROM kb_chunks WHERE ${f.sql}`).all(...f.params) as { text: string; heading: string | null }[];
    return distinctiveTerms(
      rows.map((r) => `${r.heading ?? ''}\n${r.text}`),
      limit,
    );
  }

  async deleteManual(manualId: string): Promise<{ chunks: number; vectors: number }> {
    const result = this.db.transaction(() => {
      const vectors = this.db.prepare('DELETE FROM kb_vectors WHERE manual_id = ?').run(manualId).changes;
      const chunks = this.db.prepare('DELETE FROM kb_chunks WHERE manual_id = ?').run(manualId).changes;
      return { chunks, vectors };
    })();
    this.vectors.invalidate(manualId);
    return result;
  }

  private scope(query: SearchQuery, alias: string): { sql: string; params: string[] } {
    const owners = ownerFilter(`${alias}.owner_id`, query.owners);
    if (!query.manualIds) return owners;
    const manuals = ownerFilter(`${alias}.manual_id`, query.manualIds);
    return { sql: `${owners.sql} AND ${manuals.sql}`, params: [...owners.params, ...manuals.params] };
  }

  /**
   * BM25 with the caller's statistics. FTS5's bm25() counts rows, document frequencies and the
   * average length over the whole table, every owner's manuals, so one account's ranking would move
   * when another uploads. FTS5's best matches in the scope (a pool a little deeper than asked for)
   * are scored again with the scope's own figures, as the aws shape's index does (ADR 0017, session 9).
   */
  private keywordSearch(query: SearchQuery): SearchHit[] {
    const match = ftsQuery(query.text, query.prefix);
    if (!match) return [];
    const scope = this.scope(query, 'c');
    const counts = this.scopeCounts(scope);
    if (counts.visible === 0) return [];
    let ranked: [number, number][];
    if (counts.visible === counts.all) {
      // The scope is every row of the index (one household, one account): FTS5's own statistics are
      // the scope's, so its bm25() is the score rescored() would compute (same formula, weights, IDF
      // floor and figures). Its top list is the ranking; there is no pool to score again (ADR 0039).
      ranked = this.indexTop(match, query.limit).map(([rowid, rank]) => [rowid, -rank]);
    } else {
      const pool = this.rankedVisible(match, scope, counts, Math.max(query.limit * RESCORE_DEPTH, query.limit + RESCORE_EXTRA));
      ranked = pool.length === 0 ? [] : this.rescored(query, scope, pool).slice(0, query.limit);
    }
    if (ranked.length === 0) return [];
    const byRowid = this.rowsByRowid(ranked.map((r) => r[0]));
    const best = ranked[0]![1];
    return ranked.flatMap(([rowid, score]) => {
      const r = byRowid.get(rowid);
      return r ? [{ chunk: toChunk(r), manualName: r.manual_name, score: best > 0 ? score / best : 0 }] : [];
    });
  }

  /** (rowid, score) best first: BM25 over the scope's rows, document frequencies and average length. */
  private rescored(query: SearchQuery, scope: { sql: string; params: string[] }, pool: [number, number][]): [number, number][] {
    const values = this.derivedValues();
    const stats = this.remembered(values, `stats\u0000${scopeKey(scope)}`, () => this.scopeStatistics(scope));
    const expressions = ftsPhrases(query.text, query.prefix);
    const phrases = queryPhrases(query.text, query.prefix).map((phrase, i) => ({ phrase, documents: this.matchingInScope(values, scope, expressions[i]!) }));
    // Tokens are remembered per chunk: only the pool's new chunks are read (their text and heading).
    const key = (rowid: number) => `tokens\u0000${rowid}`;
    const unread = pool.map(([rowid]) => rowid).filter((rowid) => !values.has(key(rowid)));
    if (unread.length > 0) {
      const texts = this.stmt(`SELECT rowid, text, heading FROM kb_chunks WHERE rowid IN (${unread.map(() => '?').join(',')})`).all(...unread) as { rowid: number; text: string; heading: string | null }[];
      for (const t of texts) values.set(key(t.rowid), documentTokens(t));
    }
    const docs = pool.map(([rowid]) => (values.get(key(rowid)) as DocumentTokens | undefined) ?? NO_TOKENS);
    const scores = bm25WithStatistics(docs, phrases, stats);
    return pool
      .map(([rowid], i) => ({ rowid, i, score: scores[i]! }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .map((x) => [x.rowid, x.score]);
  }

  /**
   * Chunks of the scope matching an FTS5 expression, remembered per generation. documentFrequencies
   * (the core's term weights) and the keyword ranking ask for the same phrases in the same scope
   * (owners, no manual filter): one count serves both.
   */
  private matchingInScope(values: Map<string, unknown>, scope: { sql: string; params: string[] }, expression: string): number {
    return this.remembered(values, `matching\u0000${scopeKey(scope)}\u0000${expression}`, () =>
      this.stmt(`SELECT count(*) FROM kb_fts JOIN kb_chunks c ON c.rowid = kb_fts.rowid WHERE kb_fts MATCH ? AND ${scope.sql}`).pluck().get(expression, ...scope.params) as number,
    );
  }

  /** Rows in the scope and their average length in index tokens (FTS5's own sizes, kb_fts_docsize). */
  private scopeStatistics(scope: { sql: string; params: string[] }): { rows: number; avgdl: number } {
    const sizes = this.stmt(`SELECT d.sz FROM kb_fts_docsize d JOIN kb_chunks c ON c.rowid = d.id WHERE ${scope.sql}`).pluck().all(...scope.params) as Buffer[];
    let tokens = 0;
    for (const sz of sizes) tokens += columnSizesTotal(sz);
    return { rows: sizes.length, avgdl: sizes.length > 0 ? tokens / sizes.length : 0 };
  }

  /** Rows in the index and in the scope, remembered per generation. */
  private scopeCounts(scope: { sql: string; params: string[] }): ScopeCounts {
    const values = this.derivedValues();
    const all = this.remembered(values, 'count', () => this.db.prepare('SELECT count(*) FROM kb_chunks').pluck().get() as number);
    const visible = this.remembered(values, `count\u0000${scopeKey(scope)}`, () =>
      this.stmt(`SELECT count(*) FROM kb_chunks c WHERE ${scope.sql}`).pluck().get(...scope.params) as number,
    );
    return { all, visible };
  }

  /** The index's own best `limit` (rowid, BM25 rank) pairs, every owner's rows alike. */
  private indexTop(match: string, limit: number): [number, number][] {
    return this.stmt(`SELECT rowid, ${BM25} AS rank FROM kb_fts WHERE kb_fts MATCH ? ORDER BY rank LIMIT ?`).raw().all(match, limit) as [number, number][];
  }

  /**
   * The best `limit` (rowid, BM25 rank) pairs of the scope. Joining every match to kb_chunks to
   * filter it by owner was ~40 % of a keyword search; when the scope holds most of the index (one
   * household, one company), the index's own top list, a little longer than needed, is ranked
   * alone and only its rows are checked for visibility. Exact: when too few of them are visible and
   * the index had more, the joined query runs. A scope that is a small share of the index (one of
   * many tenants) runs the joined query at once. A scope that is all of it never comes here: its
   * ranking is the index's own top list (keywordSearch).
   */
  private rankedVisible(match: string, scope: { sql: string; params: string[] }, { all, visible }: ScopeCounts, limit: number): [number, number][] {
    if (visible < all * 0.75) return this.rankedJoined(match, scope, limit);
    const wanted = Math.ceil((limit * all * 1.25) / visible) + 5;
    const top = this.indexTop(match, wanted);
    const seen = new Set(
      this.stmt(`SELECT c.rowid FROM kb_chunks c WHERE c.rowid IN (${top.map(() => '?').join(',') || 'NULL'}) AND ${scope.sql}`)
        .pluck()
        .all(...top.map((r) => r[0]), ...scope.params) as number[],
    );
    const ranked = top.filter((r) => seen.has(r[0]));
    if (ranked.length >= limit || top.length < wanted) return ranked.slice(0, limit);
    return this.rankedJoined(match, scope, limit);
  }

  /** Ranked on rowids alone, then the winners' rows read: the sort carries a rowid and a score, not the row. */
  private rankedJoined(match: string, scope: { sql: string; params: string[] }, limit: number): [number, number][] {
    return this.stmt(
      `SELECT kb_fts.rowid AS rowid, ${BM25} AS rank FROM kb_fts JOIN kb_chunks c ON c.rowid = kb_fts.rowid
       WHERE kb_fts MATCH ? AND ${scope.sql} ORDER BY rank LIMIT ?`,
    )
      .raw()
      .all(match, ...scope.params, limit) as [number, number][];
  }

  /**
   * Chunk rows by rowid, remembered per generation: a row cannot change, and a rowid cannot be reused,
   * without a new generation. The ~50 winners of each leg are mostly rows earlier questions read.
   */
  private rowsByRowid(rowids: number[]): Map<number, ChunkRow> {
    const values = this.derivedValues();
    const key = (rowid: number) => `row\u0000${rowid}`;
    const out = new Map<number, ChunkRow>();
    const unread: number[] = [];
    for (const rowid of rowids) {
      const r = values.get(key(rowid)) as ChunkRow | undefined;
      if (r) out.set(rowid, r);
      else unread.push(rowid);
    }
    if (unread.length > 0) {
      const rows = this.stmt(`SELECT * FROM kb_chunks WHERE rowid IN (${unread.map(() => '?').join(',')})`).all(...unread) as ChunkRow[];
      for (const r of rows) {
        values.set(key(r.rowid), r);
        out.set(r.rowid, r);
      }
    }
    return out;
  }

  private vectorSearch(query: SearchQuery, vector: Float32Array): SearchHit[] {
    const scope = this.scope(query, 'c');
    const manualIds = this.remembered(this.derivedValues(), `manuals\u0000${scopeKey(scope)}`, () =>
      (this.stmt(`SELECT DISTINCT c.manual_id FROM kb_chunks c WHERE ${scope.sql}`).all(...scope.params) as { manual_id: string }[]).map((r) => r.manual_id),
    );
    const top = this.vectors.top(manualIds, vector, query.limit);
    if (top.length === 0) return [];
    const byRowid = this.rowsByRowid(top.map((t) => t.rowid));
    return top.flatMap((t) => {
      const r = byRowid.get(t.rowid);
      return r ? [{ chunk: toChunk(r), manualName: r.manual_name, score: Math.max(0, Math.min(1, t.score)) }] : [];
    });
  }

}

/**
 * Question -> FTS5 MATCH expression: every content term quoted (no syntax injection), OR-ed for BM25.
 * With `prefix`, a single word of four letters or more also matches the indexed words it begins
 * (FTS5 prefix query on the stemmed index: "admin"* finds "administrator").
 */
export function ftsQuery(text: string, prefix = false): string | null {
  const phrases = ftsPhrases(text, prefix);
  return phrases.length > 0 ? phrases.join(' OR ') : null;
}

/** The question's content terms as FTS5 phrases, in order (queryPhrases of bm25-index gives their tokens in the same order). */
function ftsPhrases(text: string, prefix = false): string[] {
  return queryTerms(text).map((t) => `"${t.words.join(' ')}"${prefix && t.words.length === 1 && /^\p{L}{4,}$/u.test(t.words[0]!) ? '*' : ''}`);
}
