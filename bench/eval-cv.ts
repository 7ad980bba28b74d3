/**
 * Cross-validation by manual of the retrieval knobs, and in-process scoring of a question set.
 *
 * The knobs of core/ask/retrieve are chosen on the dev set, so the dev-set figure flatters them.
 * Here every combination of a small grid is scored on every dev question; then, for each way of
 * splitting the dev manuals into two for tuning and two for scoring, the combination that is best on
 * the tuning pair is scored on the other pair. The mean of those scores is the held-out figure: what
 * choosing the knobs this way is worth on manuals it has not seen. The grid point chosen on all dev
 * manuals is also scored on the held-out set (eval/unseen), the only figure printed for it here.
 *
 * Used by `npm run eval` (on the server's own index after the HTTP run) and standalone, in process,
 * with vectors cached under .eval-cache/embeddings:
 *   npx tsc -p . && node dist/bench/eval-cv.js [--unseen] [--verbose] [--grid] [--set name=value,...] [--kb sqlite|s3]
 * --unseen also scores eval/unseen (tuning data since issue 11 session 6) with the shipped defaults;
 * --heldout-2 also scores the second held-out set (never tune on it: score it at the end only).
 * --only SET[,SET] scores and indexes only those sets (e.g. `--unseen --only unseen`).
 * --index-heldout-2 indexes the held-out manuals without scoring them (the index `npm run eval` searches).
 * --dump FILE appends every scored question (rank, recall, answer, pages) as a JSON line.
 * --kb s3 indexes into the aws shape's S3KnowledgeBase on a local s3rver instead of SQLite, and
 * prints what a cold container pays to load its shards.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalEmbedder } from '../src/adapters/embedded/local-embedder.js';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../src/adapters/embedded/sqlite-knowledge-base.js';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { askQuestion } from '../src/core/ask/ask-question.js';
import { ExtractiveAnswerWriter } from '../src/core/ask/extractive-answer-writer.js';
import { DEFAULT_TUNING, type RetrieveTuning } from '../src/core/ask/retrieve.js';
import { chunkPages, embeddingText } from '../src/core/ingest/chunker.js';
import type { SearchHit } from '../src/core/model/types.js';
import type { Embedder } from '../src/core/ports/embedder.js';
import type { KnowledgeBase, SearchQuery } from '../src/core/ports/knowledge-base.js';
import { evalManualsDir, loadQa, repoRoot, type EvalSet, type QaItem } from '../test/helpers/eval-manuals.js';
import { CachedEmbedder } from './cached-embedder.js';
import { measureShardLoad, s3KnowledgeBase } from './kb-s3-load.js';
import { fmt, summarise, termRecall, type EvalItemResult, type Metrics } from './eval-metrics.js';

/**
 * The knobs cross-validated and the values tried: the two legs' balance, the whole-question bonus,
 * and the three bridges to the manual's own terms (feedback query, prefix query, passage context).
 * 3 x 2 x 2 x 2 x 2 = 48 combinations; every other knob keeps its default. EVAL_GRID="knob=v1|v2;..."
 * replaces it.
 */
export const GRID: Partial<Record<keyof RetrieveTuning, number[]>> = process.env.EVAL_GRID
  ? Object.fromEntries(process.env.EVAL_GRID.split(';').map((kv) => [kv.split('=')[0]!, kv.split('=')[1]!.split('|').map(Number)]))
  : {
      vectorWeight: [0.35, 0.6, 1],
      coverageWeight: [0.15, 0.3],
      feedbackWeight: [0, 0.3],
      prefixWeight: [0, 1],
      contextWeight: [0, 1],
    };

export function gridPoints(grid = GRID, base: RetrieveTuning = DEFAULT_TUNING): RetrieveTuning[] {
  let points: RetrieveTuning[] = [{ ...base }];
  for (const [knob, values] of Object.entries(grid) as [keyof RetrieveTuning, number[]][]) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [knob]: v })));
  }
  return points;
}

/** What the knobs are tuned for: the four figures weighed alike. */
export const objective = (m: Metrics) => (m.hit1 + m.hit5 + m.mrr + m.termRecall) / 4;

/**
 * A knowledge base that remembers each answer: the grid asks the same searches hundreds of times,
 * and none of them depends on the fusion knobs. Read-only use only.
 */
export function memoKnowledgeBase(kb: KnowledgeBase): KnowledgeBase {
  // The cached embedder hands out the same array for the same text: its identity names the question.
  const ids = new WeakMap<Float32Array, number>();
  let next = 0;
  const vecKey = (v: Float32Array | null | undefined) => {
    if (!v) return '';
    if (!ids.has(v)) ids.set(v, next++);
    return `v${ids.get(v)}`;
  };
  const cache = new Map<string, Promise<unknown>>();
  const memo = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, run());
    return cache.get(key) as Promise<T>;
  };
  return {
    indexChunks: kb.indexChunks.bind(kb),
    putVectors: kb.putVectors.bind(kb),
    chunksWithoutVectors: kb.chunksWithoutVectors.bind(kb),
    deleteManual: kb.deleteManual.bind(kb),
    search: (q: SearchQuery) => memo(`s|${JSON.stringify({ ...q, vector: vecKey(q.vector) })}`, () => kb.search(q)) as Promise<SearchHit[]>,
    pageChunks: kb.pageChunks ? (owners, pages) => memo(`p|${owners.join(',')}|${pages.map((p) => `${p.manualId}#${p.pageNumber}`).join(',')}`, () => kb.pageChunks!(owners, pages)) : undefined,
    documentFrequencies: kb.documentFrequencies
      ? (owners, terms) => memo(`d|${owners.join(',')}|${terms.join('\u0001')}`, () => kb.documentFrequencies!(owners, terms))
      : undefined,
  } as KnowledgeBase;
}

/** Answer terms found in the first three passages of the last scoreQuestions run: the extractive answer's ceiling. */
export const passageRecall: number[] = [];

export interface ScoreDeps {
  kb: KnowledgeBase;
  embedder: Embedder | null;
  owners: readonly string[];
}

/** Asks every question in process (searching every manual the owners see) and scores it as the HTTP eval does. */
export async function scoreQuestions(deps: ScoreDeps, qa: QaItem[], tuning: RetrieveTuning, limit = 5): Promise<(EvalItemResult & { ms: number; answer: string; got: string[] })[]> {
  // EVAL_WINDOW_WORDS / EVAL_ANSWER_WORDS try other answer lengths (as in eval-retrieval.ts).
  const answerWriter = new ExtractiveAnswerWriter({
    ...(process.env.EVAL_WINDOW_WORDS ? { windowWords: Number(process.env.EVAL_WINDOW_WORDS) } : {}),
    ...(process.env.EVAL_ANSWER_WORDS ? { maxWords: Number(process.env.EVAL_ANSWER_WORDS) } : {}),
  });
  const out = [];
  passageRecall.length = 0;
  for (const item of qa) {
    const t0 = performance.now();
    const r = await askQuestion({ kb: deps.kb, embedder: deps.embedder, answerWriter, tuning }, { question: item.question, owners: deps.owners, limit });
    const ms = performance.now() - t0;
    const got = r.sources.map((s) => `${s.manual_name}#${s.page_number}`);
    passageRecall.push(termRecall(r.sources.slice(0, 3).map((s) => s.chunk_text).join(' '), item.answer_terms));
    const idx = got.findIndex((g) => item.pages.some((p) => g === `${item.manual}#${p}`));
    out.push({ id: item.id, manual: item.manual, kind: item.kind, firstHitRank: idx + 1, termRecall: termRecall(r.answer, item.answer_terms), ms, answer: r.answer, got });
  }
  return out;
}

const key = (t: RetrieveTuning) =>
  Object.keys(GRID)
    .map((k) => `${k}=${t[k as keyof RetrieveTuning]}`)
    .join(' ');

export interface CvReport {
  /** Mean over the splits of the figures on the two manuals not tuned on. */
  heldOut: Metrics;
  /** The shipped defaults on every dev question (in-sample: they were chosen on these manuals). */
  defaults: Metrics;
  /** The best grid point on all dev questions (the optimistic, in-sample figure). */
  bestInSample: { tuning: string; metrics: Metrics };
  /** The grid point each split chose, and what it scored on its held-out pair. */
  splits: { train: string[]; test: string[]; chosen: string; test_metrics: Metrics }[];
  /** The grid point chosen on all dev manuals: what the held-out set is scored with. */
  chosenOnAll: RetrieveTuning;
  gridSize: number;
  seconds: number;
}

/**
 * The selection, apart from the scoring: for each split of the manuals into two for tuning and the
 * rest for scoring, the grid point best on the tuning manuals is scored on the others; the held-out
 * figure is the mean over the splits. Ties go to the point listed first, so the choice is stable.
 */
export function selectBySplits<T>(points: { tuning: T; results: EvalItemResult[] }[]): {
  splits: { train: string[]; test: string[]; chosen: T; test_metrics: Metrics }[];
  heldOut: Metrics;
  chosenOnAll: T;
} {
  const manuals = [...new Set(points.flatMap((p) => p.results.map((r) => r.manual)))].sort();
  const best = (filter: (r: EvalItemResult) => boolean) =>
    points.map((r) => ({ ...r, score: objective(summarise(r.results.filter(filter))) })).reduce((a, b) => (b.score > a.score + 1e-9 ? b : a));
  const splits: { train: string[]; test: string[]; chosen: T; test_metrics: Metrics }[] = [];
  for (let i = 0; i < manuals.length; i++) {
    for (let j = i + 1; j < manuals.length; j++) {
      const train = [manuals[i]!, manuals[j]!];
      const test = manuals.filter((m) => !train.includes(m));
      const chosen = best((r) => train.includes(r.manual));
      splits.push({ train, test, chosen: chosen.tuning, test_metrics: summarise(chosen.results.filter((r) => test.includes(r.manual))) });
    }
  }
  const mean = (f: (m: Metrics) => number) => splits.reduce((s, x) => s + f(x.test_metrics), 0) / splits.length;
  return {
    splits,
    heldOut: { n: splits[0]?.test_metrics.n ?? 0, hit1: mean((m) => m.hit1), hit5: mean((m) => m.hit5), mrr: mean((m) => m.mrr), termRecall: mean((m) => m.termRecall) },
    chosenOnAll: best(() => true).tuning,
  };
}

/** Every grid point scored on every dev question, then each split of the manuals 2 + 2. */
export async function crossValidate(deps: ScoreDeps, qa: QaItem[], points = gridPoints()): Promise<CvReport> {
  const t0 = Date.now();
  const kb = memoKnowledgeBase(deps.kb);
  const results = new Map<string, { tuning: RetrieveTuning; results: EvalItemResult[] }>();
  for (const p of points) results.set(key(p), { tuning: p, results: await scoreQuestions({ ...deps, kb }, qa, p) });
  const defaults = summarise(await scoreQuestions({ ...deps, kb }, qa, DEFAULT_TUNING));
  const { splits, heldOut, chosenOnAll } = selectBySplits([...results.values()]);
  const all = [...results.values()].find((r) => r.tuning === chosenOnAll)!;
  return {
    heldOut,
    defaults,
    bestInSample: { tuning: key(all.tuning), metrics: summarise(all.results) },
    splits: splits.map((x) => ({ ...x, chosen: key(x.chosen) })),
    chosenOnAll,
    gridSize: points.length,
    seconds: (Date.now() - t0) / 1000,
  };
}

export function printCv(cv: CvReport): void {
  console.log(`cross-validation by manual (${cv.gridSize} knob combinations, tuned on 2 dev manuals, scored on the other 2, ${cv.splits.length} pairings, ${cv.seconds.toFixed(0)} s):`);
  console.log(`  held-out (mean of pairings)   ${fmt(cv.heldOut)}`);
  console.log(`  shipped defaults, in-sample   ${fmt(cv.defaults)}`);
  console.log(`  best combination, in-sample   ${fmt(cv.bestInSample.metrics)}  [${cv.bestInSample.tuning}]`);
  for (const s of cv.splits) {
    console.log(`  tuned on ${s.train.map(short).join('+').padEnd(20)} scored on ${s.test.map(short).join('+').padEnd(20)} ${fmt(s.test_metrics)}  [${s.chosen}]`);
  }
}

const short = (m: string) => m.replace(/\.pdf$/, '').split('-')[0]!;

/** The set's manuals read, chunked, indexed and embedded in process (vectors cached by text). */
export async function buildIndex(sets: EvalSet[], embedder: Embedder, store: 'sqlite' | 's3' = 'sqlite') {
  const tmp = mkdtempSync(join(tmpdir(), 'manuel-cv-'));
  const db = store === 'sqlite' ? openDatabase(join(tmp, 'manuel.db')) : null;
  const s3 = store === 's3' ? await s3KnowledgeBase() : null;
  const kb: KnowledgeBase = s3 ? s3.kb : new SqliteKnowledgeBase(db!);
  const reader = new UnpdfPdfReader();
  for (const set of sets) {
    const dir = evalManualsDir(set);
    for (const file of [...new Set(loadQa(set).map((q) => q.manual))]) {
      const { pages } = await reader.read(new Uint8Array(readFileSync(join(dir, file))));
      const chunks = chunkPages(pages, { manualId: file, ownerId: set });
      await kb.indexChunks(file, set, file, chunks);
      for (let i = 0; i < chunks.length; i += 256) {
        const batch = chunks.slice(i, i + 256);
        const vectors = await embedder.embed(batch.map(embeddingText));
        await kb.putVectors(batch.map((c, k) => ({ chunkId: c.id, vector: vectors[k]! })));
      }
    }
  }
  return {
    kb,
    measure: s3 ? () => measureShardLoad(s3.s3, s3.bucket, sets) : null,
    close: async () => {
      db?.close();
      await s3?.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export const cachedEmbedder = () =>
  new CachedEmbedder(512, 'use-lite', join(repoRoot, '.eval-cache', 'embeddings', 'use-lite-512.bin'), () => LocalEmbedder.create({ workers: 1 }));

async function main() {
  const args = process.argv.slice(2);
  const overrides = Object.fromEntries(
    (args[args.indexOf('--set') + 1] && args.includes('--set') ? args[args.indexOf('--set') + 1]!.split(',') : []).map((kv) => {
      const [k, v] = kv.split('=');
      return [k!, Number(v)];
    }),
  ) as Partial<RetrieveTuning>;
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  const embedder = cachedEmbedder();
  const all: EvalSet[] = ['dev', 'dev-plain', ...(args.includes('--unseen') ? (['unseen'] as const) : []), ...(args.includes('--heldout-2') ? (['heldout-2'] as const) : [])];
  // --only unseen: index that set alone (SQLite's BM25 statistics then span only its manuals).
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : null;
  const sets = only ? all.filter((s) => only.includes(s)) : all;
  // --dump FILE: every scored question as a JSON line (for looking at misses by class).
  const dump = args.includes('--dump') ? args[args.indexOf('--dump') + 1]! : null;
  const store = args.includes('--kb') && args[args.indexOf('--kb') + 1] === 's3' ? 's3' : 'sqlite';
  // --index-heldout-2: the held-out manuals are in the index (as in `npm run eval`: BM25's statistics
  // span every manual) but their questions are not scored.
  const indexed = args.includes('--index-heldout-2') && !sets.includes('heldout-2') ? [...sets, 'heldout-2' as const] : sets;
  const { kb, close, measure } = await buildIndex(
    indexed.filter((s) => s !== 'dev-plain'),
    embedder,
    store,
  );
  console.log(`knowledge base: ${store}`);
  await measure?.();
  const ownerOf = (set: EvalSet) => (set === 'dev-plain' ? 'dev' : set);
  try {
    for (const set of sets) {
      const rows = await scoreQuestions({ kb, embedder, owners: [ownerOf(set)] }, loadQa(set), tuning);
      const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
      const ceiling = passageRecall.reduce((a, b) => a + b, 0) / Math.max(1, passageRecall.length);
      const words = rows.reduce((n, r) => n + r.answer.split(/\s+/).length, 0) / Math.max(1, rows.length);
      // The held-out set is scored, never looked at question by question.
      if (dump && set !== 'heldout-2') appendFileSync(dump, rows.map((r) => JSON.stringify({ set, ...r })).join('\n') + '\n');
      console.log(`${set} (in process, tuning ${JSON.stringify(overrides)}): ${fmt(summarise(rows))} passage-recall@3=${ceiling.toFixed(3)} answer-words=${words.toFixed(0)} p50=${ms[Math.floor(ms.length / 2)]!.toFixed(0)} ms p95=${ms[Math.floor(ms.length * 0.95)]!.toFixed(0)} ms`);
      const byManual = new Map<string, EvalItemResult[]>();
      for (const r of rows) byManual.set(r.manual, [...(byManual.get(r.manual) ?? []), r]);
      for (const [m, rs] of byManual) console.log(`  ${m.padEnd(28)} ${fmt(summarise(rs))}`);
      if (set !== 'heldout-2' && args.includes('--verbose')) {
        const qa = new Map(loadQa(set).map((q) => [q.id, q]));
        for (const r of rows.filter((x) => x.firstHitRank !== 1 || x.termRecall < 1)) {
          const q = qa.get(r.id)!;
          console.log(`\n[${r.id}] rank=${r.firstHitRank} recall=${r.termRecall.toFixed(2)} want=${q.pages.join(',')} terms=${JSON.stringify(q.answer_terms)}\n  Q: ${q.question}\n  got: ${r.got.join(' ')}\n  A: ${r.answer.replace(/\n/g, '\n     ')}`);
        }
      }
    }
    if (args.includes('--grid')) printCv(await crossValidate({ kb, embedder, owners: ['dev'] }, [...loadQa('dev'), ...loadQa('dev-plain')]));
  } finally {
    await close();
    await embedder.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
