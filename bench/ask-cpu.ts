/**
 * CPU per new question, by stage, in process: what an uncached question costs on a prepared index.
 *   npx tsc -p . && node [--cpu-prof] dist/bench/ask-cpu.js --data-dir DIR [--rounds 2] [--set dev]
 * DIR is a data dir holding the eval manuals (the one `npm run eval -- --data-dir DIR` or
 * `npm run bench:load -- --prepared DIR` leaves). Every eval question is asked with a unique suffix
 * (as bench:load's "unique" workload does), one at a time, through the real retrieval, the real
 * SQLite index, the bundled embedder (one worker thread) and the extractive writer. CPU time is the
 * process's (all threads: the embedding thread works while the request thread waits), so it holds on
 * a machine other work shares; wall time would not. Prints JSON: mean CPU ms per question, per stage
 * and per knowledge-base call kind, and the calls per question.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalEmbedder } from '../src/adapters/embedded/local-embedder.js';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../src/adapters/embedded/sqlite-knowledge-base.js';
import { askQuestion } from '../src/core/ask/ask-question.js';
import { ExtractiveAnswerWriter } from '../src/core/ask/extractive-answer-writer.js';
import type { AnswerWriter } from '../src/core/ports/answer-writer.js';
import type { Embedder } from '../src/core/ports/embedder.js';
import type { KnowledgeBase } from '../src/core/ports/knowledge-base.js';
import { loadQa, type EvalSet } from '../test/helpers/eval-manuals.js';

const { values: args } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    rounds: { type: 'string', default: '2' },
    set: { type: 'string', default: 'dev' },
    'keyword-only': { type: 'boolean', default: false },
    // Questions in flight at once (as concurrent clients): stages overlap then, so only the total is printed.
    concurrency: { type: 'string', default: '1' },
    'embedding-workers': { type: 'string', default: '1' },
  },
});
if (!args['data-dir']) throw new Error('--data-dir DIR is required');

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const stages = new Map<string, { ms: number; calls: number }>();
function add(stage: string, ms: number) {
  const s = stages.get(stage) ?? { ms: 0, calls: 0 };
  s.ms += ms;
  s.calls++;
  stages.set(stage, s);
}
async function timed<T>(stage: string, fn: () => Promise<T>): Promise<T> {
  const t = cpuMs();
  try {
    return await fn();
  } finally {
    add(stage, cpuMs() - t);
  }
}

function timedKb(kb: SqliteKnowledgeBase): KnowledgeBase {
  return {
    indexChunks: (...a) => kb.indexChunks(...a),
    putVectors: (...a) => kb.putVectors(...a),
    chunksWithoutVectors: (...a) => kb.chunksWithoutVectors(...a),
    deleteManual: (...a) => kb.deleteManual(...a),
    search: (q) => timed(q.vector ? 'kb.search.vector' : q.prefix ? 'kb.search.prefix' : 'kb.search.keyword', () => kb.search(q)),
    pageChunks: (o, p) => timed('kb.pageChunks', () => kb.pageChunks(o, p)),
    documentFrequencies: (o, t) => timed(`kb.documentFrequencies`, () => kb.documentFrequencies(o, t)).then((r) => (add('kb.documentFrequencies.terms', 0), (stages.get('kb.documentFrequencies.terms')!.calls += t.length - 1), r)),
  };
}

const timedEmbedder = (e: Embedder): Embedder => ({ dimensions: e.dimensions, modelId: e.modelId, embed: (texts) => timed('embed (worker thread)', () => e.embed(texts)) });
const timedWriter = (w: AnswerWriter): AnswerWriter => ({ id: w.id, write: (q, p) => timed('answer writer', () => w.write(q, p)) });

async function main() {
  const db = openDatabase(join(args['data-dir']!, 'manuel.db'));
  const qa = loadQa(args.set as EvalSet);
  const owner = (db.prepare('SELECT DISTINCT owner_id FROM kb_chunks WHERE manual_name = ?').get(qa[0]!.manual) as { owner_id: string }).owner_id;
  const kb = new SqliteKnowledgeBase(db);
  const embedder = args['keyword-only'] ? null : await LocalEmbedder.create({ workers: Number(args['embedding-workers']) });
  const deps = { kb: timedKb(kb), embedder: embedder ? timedEmbedder(embedder) : null, answerWriter: timedWriter(new ExtractiveAnswerWriter()) };
  const run = Date.now().toString(36);
  let n = 0;
  const ask = (q: string) => askQuestion(deps, { question: `${q} (variant ${run}-${n++})`, owners: [owner], limit: 5 });
  // Warm-up: vectors decoded, statements prepared, JIT warm.
  for (const item of qa.slice(0, 10)) await ask(item.question);
  stages.clear();
  const rounds = Number(args.rounds);
  let questions = 0;
  const t0 = cpuMs();
  const w0 = performance.now();
  const concurrency = Number(args.concurrency);
  const all = Array.from({ length: rounds }, () => qa).flat();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let item = all.shift(); item; item = all.shift()) {
        await timed('total', () => ask(item.question));
        questions++;
      }
    }),
  );
  const total = cpuMs() - t0;
  const perQ = (ms: number) => +(ms / questions).toFixed(2);
  const out = {
    questions,
    concurrency,
    cpu_ms_per_question: perQ(total),
    wall_ms_per_question: perQ(performance.now() - w0),
    stages: concurrency > 1 ? 'overlapping (concurrency > 1)' : Object.fromEntries(
      [...stages].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => [k, { cpu_ms_per_question: perQ(v.ms), calls_per_question: +(v.calls / questions).toFixed(1) }]),
    ),
  };
  console.log(JSON.stringify(out, null, 2));
  await embedder?.close();
  db.close();
}

await main();
