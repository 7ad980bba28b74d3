/**
 * S3KnowledgeBase against SqliteKnowledgeBase on the real eval corpus, call by call: both indexes
 * are built from the same chunks and vectors (one set, one owner, so FTS5's whole-table statistics
 * are the visible ones), every knowledge-base call retrieval makes for every question goes to both,
 * and each difference is printed — ranks (ids in order) and scores.
 *   npx tsc -p . && node dist/bench/kb-parity.js [dev|unseen]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../src/adapters/embedded/sqlite-knowledge-base.js';
import { retrieve } from '../src/core/ask/retrieve.js';
import { chunkPages, embeddingText } from '../src/core/ingest/chunker.js';
import type { SearchHit } from '../src/core/model/types.js';
import type { KnowledgeBase, SearchQuery } from '../src/core/ports/knowledge-base.js';
import { evalManualsDir, loadQa, type EvalSet } from '../test/helpers/eval-manuals.js';
import { cachedEmbedder } from './eval-cv.js';
import { s3KnowledgeBase } from './kb-s3-load.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const set = (process.argv[2] ?? 'dev') as EvalSet;
const tmp = mkdtempSync(join(tmpdir(), 'manuel-parity-'));
const db = openDatabase(join(tmp, 'manuel.db'));
const sqlite = new SqliteKnowledgeBase(db);
const s3 = await s3KnowledgeBase();
const embedder = cachedEmbedder();
const reader = new UnpdfPdfReader();
const dir = evalManualsDir(set);
for (const file of [...new Set(loadQa(set).map((q) => q.manual))]) {
  const { pages } = await reader.read(new Uint8Array(readFileSync(join(dir, file))));
  const chunks = chunkPages(pages, { manualId: file, ownerId: set });
  const vectors = await embedder.embed(chunks.map(embeddingText));
  for (const kb of [sqlite, s3.kb]) {
    await kb.indexChunks(file, set, file, chunks);
    for (let i = 0; i < chunks.length; i += 256) await kb.putVectors(chunks.slice(i, i + 256).map((c, k) => ({ chunkId: c.id, vector: vectors[i + k]! })));
  }
}

const stats = { calls: 0, sameOrder: 0, sameSet: 0, scoreDiff: 0 };
const show = (hits: SearchHit[]) => hits.map((h) => `${h.chunk.id}=${h.score.toFixed(6)}`);
/** Calls both, compares, answers with SQLite's result (so both see the same follow-up calls). */
const both: KnowledgeBase = {
  indexChunks: () => Promise.reject(new Error('read only')),
  putVectors: () => Promise.reject(new Error('read only')),
  chunksWithoutVectors: () => Promise.resolve([]),
  deleteManual: () => Promise.reject(new Error('read only')),
  async search(q: SearchQuery) {
    const [a, b] = await Promise.all([sqlite.search(q), s3.kb.search(q)]);
    stats.calls++;
    const ids = (h: SearchHit[]) => h.map((x) => x.chunk.id).join(' ');
    const same = ids(a) === ids(b);
    if (same) stats.sameOrder++;
    if ([...a.map((x) => x.chunk.id)].sort().join(' ') === [...b.map((x) => x.chunk.id)].sort().join(' ')) stats.sameSet++;
    const diff = a.length === b.length ? Math.max(0, ...a.map((x, i) => Math.abs(x.score - b[i]!.score))) : 1;
    stats.scoreDiff = Math.max(stats.scoreDiff, diff);
    if (!same) {
      const i = a.findIndex((x, k) => x.chunk.id !== b[k]?.chunk.id);
      console.log(`  ${q.vector ? 'vector' : q.prefix ? 'prefix' : 'keyword'} "${q.text.slice(0, 60)}" first difference at rank ${i}: sqlite ${show(a.slice(i, i + 3)).join(' ')} | s3 ${show(b.slice(i, i + 3)).join(' ')}`);
    }
    return a;
  },
  async pageChunks(owners, pages) {
    const [a, b] = await Promise.all([sqlite.pageChunks(owners, pages), s3.kb.pageChunks(owners, pages)]);
    if (JSON.stringify(a) !== JSON.stringify(b)) console.log('  pageChunks differ');
    return a;
  },
  async documentFrequencies(owners, terms) {
    const [a, b] = await Promise.all([sqlite.documentFrequencies(owners, terms), s3.kb.documentFrequencies(owners, terms)]);
    if (JSON.stringify(a) !== JSON.stringify(b)) console.log(`  documentFrequencies differ: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    return a;
  },
};
/** Every read call and its result, as JSON (vectors left out). */
function recorder(kb: KnowledgeBase): { kb: KnowledgeBase; log: string[] } {
  const log: string[] = [];
  const rec =
    <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
    async (...args: A) => {
      const r = await fn(...args);
      log.push(`${name}(${JSON.stringify(args, (k, v) => (k === 'vector' ? undefined : v))}) -> ${JSON.stringify(r, (k, v) => (k === 'score' ? Math.round(v * 1e9) : v))}`);
      return r;
    };
  return {
    log,
    kb: {
      ...kb,
      indexChunks: kb.indexChunks.bind(kb),
      putVectors: kb.putVectors.bind(kb),
      chunksWithoutVectors: kb.chunksWithoutVectors.bind(kb),
      deleteManual: kb.deleteManual.bind(kb),
      search: rec('search', kb.search.bind(kb)),
      pageChunks: rec('pageChunks', kb.pageChunks!.bind(kb)),
      documentFrequencies: rec('documentFrequencies', kb.documentFrequencies!.bind(kb)),
    },
  };
}
let samePages = 0;
const pagesOf = (hits: SearchHit[]) => hits.map((h) => `${h.chunk.manualId}#${h.chunk.pageNumber}`).join(' ');
for (const item of loadQa(set)) {
  const input = { question: item.question, owners: [set], limit: 5 };
  await retrieve({ kb: both, embedder }, input);
  // Each alone, end to end: the pages retrieval returns.
  const [a, b] = [await retrieve({ kb: sqlite, embedder }, input), await retrieve({ kb: s3.kb, embedder }, input)];
  if (pagesOf(a) === pagesOf(b)) samePages++;
  else {
    console.log(`  [${item.id}] pages differ: sqlite ${pagesOf(a)} | s3 ${pagesOf(b)}`);
    const [la, lb] = [recorder(sqlite), recorder(s3.kb)];
    const ra = await retrieve({ kb: la.kb, embedder }, input);
    const rb = await retrieve({ kb: lb.kb, embedder }, input);
    const again = [await retrieve({ kb: sqlite, embedder }, input), await retrieve({ kb: s3.kb, embedder }, input)];
    console.log(`    recorded: sqlite ${pagesOf(ra)} | s3 ${pagesOf(rb)}\n    again:    sqlite ${pagesOf(again[0]!)} | s3 ${pagesOf(again[1]!)}`);
    const k = la.log.findIndex((x, i) => x !== lb.log[i]);
    if (k >= 0) { const x = la.log[k]!, y = lb.log[k] ?? ""; let d = 0; while (x[d] === y[d]) d++; console.log(`    first differing call #${k} at char ${d}:\n    sqlite ${x.slice(d - 300, d + 300)}\n    s3     ${y.slice(d - 300, d + 300)}`); }
  }
}
console.log(JSON.stringify({ set, ...stats, questions: loadQa(set).length, samePages }));
await embedder.close();
await s3.close();
db.close();
rmSync(tmp, { recursive: true, force: true });
