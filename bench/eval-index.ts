/**
 * The eval questions scored in process on an index already built by `npm run eval -- --data-dir DIR`
 * (no ingestion, no HTTP): the same retrieval and writer as the server, for checking that a change
 * to the hot path keeps the figures, in a minute instead of ten.
 *   npx tsc -p . && node dist/bench/eval-index.js --data-dir DIR [--detail]
 * --detail also prints each question not answered perfectly (page rank, answer-term recall, the answer).
 * --tuning '{"vectorWeight":1}' overrides knobs of DEFAULT_TUNING (for trying a value before a grid).
 * Question vectors are cached under .eval-cache/embeddings.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../src/adapters/embedded/sqlite-knowledge-base.js';
import { DEFAULT_TUNING } from '../src/core/ask/retrieve.js';
import { loadQa, type EvalSet } from '../test/helpers/eval-manuals.js';
import { cachedEmbedder, scoreQuestions } from './eval-cv.js';
import { fmt, summarise } from './eval-metrics.js';

const { values: args } = parseArgs({ options: { 'data-dir': { type: 'string' }, detail: { type: 'boolean', default: false }, tuning: { type: 'string' } } });
if (!args['data-dir']) throw new Error('--data-dir DIR is required');
const db = openDatabase(join(args['data-dir'], 'manuel.db'));
const embedder = cachedEmbedder();
const tuning = { ...DEFAULT_TUNING, ...(args.tuning ? (JSON.parse(args.tuning) as Partial<typeof DEFAULT_TUNING>) : {}) };
try {
  const kb = new SqliteKnowledgeBase(db);
  for (const set of ['dev', 'dev-plain', 'unseen'] as EvalSet[]) {
    const qa = loadQa(set);
    const owner = (db.prepare('SELECT DISTINCT owner_id FROM kb_chunks WHERE manual_name = ?').get(qa[0]!.manual) as { owner_id: string }).owner_id;
    const results = await scoreQuestions({ kb, embedder, owners: [owner] }, qa, tuning);
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);
    console.log(`${set.padEnd(10)} ${fmt(summarise(results))} p50=${ms[Math.floor(ms.length / 2)]!.toFixed(0)} ms p95=${ms[Math.floor(ms.length * 0.95)]!.toFixed(0)} ms`);
    if (!args.detail) continue;
    for (const r of results) {
      if (r.firstHitRank === 1 && r.termRecall === 1) continue;
      const q = qa.find((x) => x.id === r.id)!;
      console.log(`  ${r.id} rank ${r.firstHitRank || '-'} recall ${r.termRecall.toFixed(2)} | ${q.question}`);
      console.log(`    want ${q.pages.join(',')} [${q.answer_terms.join(' | ')}] got ${r.got.map((g) => g.split('#')[1]).join(',')}`);
      console.log(`    answer: ${r.answer.replace(/\s+/g, ' ').slice(0, 300)}`);
    }
  }
} finally {
  db.close();
  await embedder.close();
}
