/**
 * How long the first new questions after a start take: what a user who asks right after a restart
 * (or the first burst of a load test) waits for, while a process's caches, JIT and model are cold.
 *   npx tsc -p . && node dist/bench/first-answers.js --prepared DIR [--profile full] [--questions 6] [--settle-ms 3000]
 * DIR is a data dir `npm run bench:load -- --prepared DIR` left; the server runs on a fresh copy of
 * it (as bench:load starts it). After it is ready and `settle-ms` have passed, one user asks eval
 * questions with a unique suffix (every one a miss), one at a time. Prints JSON: each answer's
 * latency in order, and that of the same questions asked again (warm, answers not cached).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadQa, repoRoot } from '../test/helpers/eval-manuals.js';
import { startOnPreparedCopy } from './server-process.js';

const { values: args } = parseArgs({
  options: {
    prepared: { type: 'string' },
    profile: { type: 'string', default: 'full' },
    questions: { type: 'string', default: '6' },
    'settle-ms': { type: 'string', default: '3000' },
  },
});
if (!args.prepared) throw new Error('--prepared DIR is required');

const file = args.profile === 'full' ? 'parameters-full.json' : 'parameters-minimal.json';
const server = await startOnPreparedCopy(args.prepared, { MANUEL_PARAMETERS: join(repoRoot, 'infra', file), DailyQuotaLimit: '0', MonthlyQuotaLimit: '0' }, Number(args['settle-ms']));
try {
  const { api } = server;
  const questions = loadQa().slice(0, Number(args.questions)).map((q) => q.question);
  const run = Date.now().toString(36);
  const timed = async (suffix: string) => {
    const out: number[] = [];
    for (const q of questions) {
      const t0 = performance.now();
      const r = await api.call('POST', '/api/query', { question: `${q} (${suffix} ${run})` });
      if (r.cache_status !== 'miss') throw new Error(`expected a miss, got ${r.cache_status}`);
      out.push(Math.round(performance.now() - t0));
    }
    return out;
  };
  const first = await timed('first');
  const again = await timed('again');
  console.log(JSON.stringify({ profile: args.profile, settle_ms: Number(args['settle-ms']), first_ms: first, warm_ms: again }));
} finally {
  await server.stop();
}
