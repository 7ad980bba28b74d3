/**
 * CPU time of a real server per answered question, new (uncached) or cached:
 *   npx tsc -p . && node dist/bench/query-cpu.js --prepared DIR [--profile full] [--questions 120] [--connections 8] [--hot]
 * DIR is a data dir `npm run bench:load -- --prepared DIR` left. The server (as bench:load starts it,
 * on a fresh copy of DIR) is sent eval questions with a unique suffix (every one a miss), or with
 * --hot one question again and again; the user+system CPU of its whole process tree (primary,
 * workers, their embedding threads; /proc/<pid>/stat) is divided by the answers. Unlike req/s, this
 * holds on a machine other work shares.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadQa, repoRoot } from '../test/helpers/eval-manuals.js';
import { startOnPreparedCopy } from './server-process.js';

const { values: args } = parseArgs({
  options: {
    prepared: { type: 'string' },
    profile: { type: 'string', default: 'full' },
    questions: { type: 'string', default: '120' },
    connections: { type: 'string', default: '8' },
    hot: { type: 'boolean', default: false },
  },
});
if (!args.prepared) throw new Error('--prepared DIR is required');

const TICK_MS = 10; // USER_HZ = 100 on Linux
function tree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* gone */
  }
  return [pid, ...kids.flatMap(tree)];
}
function cpuMs(pid: number): number {
  return tree(pid).reduce((sum, p) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return sum + (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime
    } catch {
      return sum;
    }
  }, 0);
}

async function main() {
  const file = args.profile === 'full' ? 'parameters-full.json' : 'parameters-minimal.json';
  const server = await startOnPreparedCopy(args.prepared!, {
    MANUEL_PARAMETERS: join(repoRoot, 'infra', file),
    DailyQuotaLimit: '0',
    MonthlyQuotaLimit: '0',
    RateLimitRequests: '1000000',
    // Nothing shed: what is measured is the cost of an answer.
    LatencyThreshold: '600000',
  });
  try {
    const { api } = server;
    const questions = loadQa().map((q) => q.question);
    const run = Date.now().toString(36);
    let n = 0;
    const next = () => (args.hot ? questions[0]! : `${questions[n % questions.length]} (variant ${run}-${n++})`);
    const ask = (q: string) => api.call('POST', '/api/query', { question: q });
    // Warm-up: vectors decoded, statements prepared, JIT warm, embedding threads up.
    await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < 3; i++) await ask(next()); }));
    const total = Number(args.questions);
    let done = 0;
    let misses = 0;
    const c0 = cpuMs(server.child.pid!);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Number(args.connections) }, async () => {
        while (done < total) {
          done++;
          const r = await ask(next());
          if (r.cache_status === 'miss') misses++;
        }
      }),
    );
    const cpu = cpuMs(server.child.pid!) - c0;
    const wall = performance.now() - t0;
    console.log(JSON.stringify({ profile: args.profile, hot: args.hot, answers: done, misses, connections: Number(args.connections), processes: tree(server.child.pid!).length, cpu_ms_per_answer: +(cpu / done).toFixed(2), wall_answers_per_s: +((done / wall) * 1000).toFixed(1) }));
  } finally {
    await server.stop();
  }
}

await main();
