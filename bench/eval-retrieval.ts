/**
 * In-process retrieval and answer evaluation on the shared eval set (no HTTP): reads the four eval
 * manuals with the real reader, chunks, indexes into a temporary SQLite, embeds (vectors cached under
 * .eval-cache/embeddings by text hash), asks all questions against ALL FOUR manuals at once, and
 * prints page hit@1, hit@5, MRR and answer-term recall, overall / per manual / per kind, keyword-only
 * vs hybrid. Usage: npx tsc -p . && node dist/bench/eval-retrieval.js [--verbose] [--workers N]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEmbedder } from '../src/adapters/embedded/local-embedder.js';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../src/adapters/embedded/sqlite-knowledge-base.js';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { askQuestion } from '../src/core/ask/ask-question.js';
import { ExtractiveAnswerWriter } from '../src/core/ask/extractive-answer-writer.js';
import { chunkPages, embeddingText } from '../src/core/ingest/chunker.js';
import type { Embedder } from '../src/core/ports/embedder.js';
import { evalManualsDir, loadQa, repoRoot, type QaItem } from '../test/helpers/eval-manuals.js';
import { CachedEmbedder } from './cached-embedder.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const workers = Number(args[args.indexOf('--workers') + 1]) || 2;
const maxWords = Number(process.env.EVAL_MAX_WORDS) || undefined;
const OWNER = 'eval';

/** Questions no product manual here answers: a relevant-context claim for them is a false positive. */
const OFF_TOPIC = [
  'What is the capital of France?',
  'How do I bake sourdough bread at home?',
  'Who won the football world cup in 2014?',
  'What is a good recipe for vegetable soup?',
  'How tall is Mount Everest?',
  'Can you recommend a good novel to read on holiday?',
  'How do I change the oil in my car engine?',
  'What are the symptoms of the flu?',
  'What time does the supermarket close?',
  'Which planet is the largest in the solar system?',
  'How do I tie a tie?',
  'What is the capital of France?',
];

interface Row {
  item: QaItem;
  rank: number | null; // 1-based rank of the first correct page
  recall: number;
  /** The same terms looked up in the first three passages: the ceiling for an extractive answer. */
  passageRecall: number;
  answer: string;
  pages: string[];
  ms: number;
}

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ');
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

function summary(rows: Row[]) {
  return {
    n: rows.length,
    hit1: +mean(rows.map((r) => (r.rank === 1 ? 1 : 0))).toFixed(3),
    hit5: +mean(rows.map((r) => (r.rank !== null && r.rank <= 5 ? 1 : 0))).toFixed(3),
    mrr: +mean(rows.map((r) => (r.rank ? 1 / r.rank : 0))).toFixed(3),
    recall: +mean(rows.map((r) => r.recall)).toFixed(3),
    passage_recall_at3: +mean(rows.map((r) => r.passageRecall)).toFixed(3),
    answer_words: Math.round(mean(rows.map((r) => r.answer.split(/\s+/).length))),
  };
}

async function main() {
  const dir = evalManualsDir();
  const qa = loadQa();
  const manuals = [...new Set(qa.map((q) => q.manual))];
  const tmp = mkdtempSync(join(tmpdir(), 'manuel-eval-'));
  const db = openDatabase(join(tmp, 'manuel.db'));
  const kb = new SqliteKnowledgeBase(db);
  const reader = new UnpdfPdfReader();
  let t0 = Date.now();
  let pageCount = 0;
  const allChunks = [];
  for (const file of manuals) {
    const { pages } = await reader.read(new Uint8Array(readFileSync(join(dir, file))));
    pageCount += pages.length;
    const chunks = chunkPages(pages, { manualId: file, ownerId: OWNER, ...(maxWords ? { maxWords } : {}) });
    await kb.indexChunks(file, OWNER, file, chunks);
    allChunks.push(...chunks);
  }
  const readMs = Date.now() - t0;

  const embedder = new CachedEmbedder(512, 'use-lite', join(repoRoot, '.eval-cache', 'embeddings', 'use-lite-512.bin'), () =>
    LocalEmbedder.create({ workers }),
  );
  t0 = Date.now();
  for (let i = 0; i < allChunks.length; i += 256) {
    const batch = allChunks.slice(i, i + 256);
    const vectors = await embedder.embed(batch.map(embeddingText));
    await kb.putVectors(batch.map((c, j) => ({ chunkId: c.id, vector: vectors[j]! })));
  }
  const embedMs = Date.now() - t0;
  const embeddedNow = embedder.embedded;

  const answerWriter = new ExtractiveAnswerWriter({
    ...(process.env.EVAL_WINDOW_WORDS ? { windowWords: Number(process.env.EVAL_WINDOW_WORDS) } : {}),
    ...(process.env.EVAL_ANSWER_WORDS ? { maxWords: Number(process.env.EVAL_ANSWER_WORDS) } : {}),
  });
  const results: Record<string, Row[]> = {};
  const offTopic: Record<string, number> = {};
  for (const [mode, emb] of [
    ['keyword', null],
    ['hybrid', embedder],
  ] as [string, Embedder | null][]) {
    const deps = { kb, embedder: emb, answerWriter };
    const rows: Row[] = [];
    for (const item of qa) {
      const s = Date.now();
      const r = await askQuestion(deps, { question: item.question, owners: [OWNER], limit: 5 });
      const ms = Date.now() - s;
      const pages = r.sources.map((x) => `${x.manual_id}#${x.page_number}`);
      const idx = pages.findIndex((p) => item.pages.some((n) => p === `${item.manual}#${n}`));
      const answer = norm(r.answer);
      const recall = mean(item.answer_terms.map((t) => (answer.includes(norm(t)) ? 1 : 0)));
      const passages = norm(r.sources.slice(0, 3).map((x) => x.chunk_text).join(' '));
      const passageRecall = mean(item.answer_terms.map((t) => (passages.includes(norm(t)) ? 1 : 0)));
      rows.push({ item, rank: idx >= 0 ? idx + 1 : null, recall, passageRecall, answer: r.answer, pages, ms });
    }
    results[mode] = rows;
    let fp = 0;
    for (const q of OFF_TOPIC) if ((await askQuestion(deps, { question: q, owners: [OWNER], limit: 5 })).contextFound) fp++;
    offTopic[mode] = fp;
  }

  // Raw knowledge-base latency per leg, all four manuals visible (question vectors come from the cache).
  const kwMs: number[] = [];
  const vecMs: number[] = [];
  for (const item of qa) {
    let s = performance.now();
    await kb.search({ text: item.question, owners: [OWNER], limit: 50 });
    kwMs.push(performance.now() - s);
    const [v] = await embedder.embed([item.question]);
    s = performance.now();
    await kb.search({ text: '', vector: v!, owners: [OWNER], limit: 50 });
    vecMs.push(performance.now() - s);
  }
  const ms = (xs: number[]) => ({ p50: +pct(xs, 0.5).toFixed(2), p95: +pct(xs, 0.95).toFixed(2) });

  if (verbose) {
    for (const r of results.hybrid!) {
      if (r.rank === 1 && r.recall === 1) continue;
      console.log(`\n[${r.item.id}] rank=${r.rank} recall=${r.recall.toFixed(2)}/${r.passageRecall.toFixed(2)} want=${r.item.pages.join(',')} terms=${JSON.stringify(r.item.answer_terms)}`);
      console.log(`  Q: ${r.item.question}\n  got: ${r.pages.join(' ')}\n  A: ${r.answer.replace(/\n/g, '\n     ')}`);
    }
  }
  const report: Record<string, unknown> = {
    corpus: { manuals: manuals.length, pages: pageCount, chunks: allChunks.length, read_chunk_index_ms: readMs },
    embedding: { embedded_now: embeddedNow, ms: embedMs, chunks_per_s: embeddedNow ? +((embeddedNow / embedMs) * 1000).toFixed(1) : null, workers },
    searched: 'all four manuals at once',
    kb_latency_ms: { keyword: ms(kwMs), vector: ms(vecMs) },
  };
  for (const [mode, rows] of Object.entries(results)) {
    report[mode] = {
      overall: summary(rows),
      per_manual: Object.fromEntries(manuals.map((m) => [m.replace(/\.pdf$/, ''), summary(rows.filter((r) => r.item.manual === m))])),
      per_kind: Object.fromEntries([...new Set(qa.map((q) => q.kind))].map((k) => [k, summary(rows.filter((r) => r.item.kind === k))])),
      off_topic_false_positives: `${offTopic[mode]}/${OFF_TOPIC.length}`,
      latency_ms: { p50: pct(rows.map((r) => r.ms), 0.5), p95: pct(rows.map((r) => r.ms), 0.95) },
    };
  }
  console.log(JSON.stringify(report, null, 2));
  await embedder.close();
  db.close();
  rmSync(tmp, { recursive: true, force: true });
}

await main();
