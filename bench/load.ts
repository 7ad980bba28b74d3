/**
 * npm run bench:load [-- --duration 10] [-- --connections 64] [-- --profiles minimal,full] [-- --prepared DIR] [-- --rounds N] [-- --warmup 3]
 * Load test of a real server (child process, as `npm start`) holding the four eval manuals, with
 * autocannon on loopback. Prints JSON: per profile and workload req/s, p50/p95/p99, errors, time-outs,
 * non-2xx, 5xx, hit rate, answers and p95 per second of the run, and RSS per server process. The client reads no answer: the hit rate is the
 * server's own count of answers by cache status (`manuel_answers_total` on /metrics, every process's),
 * so parsing 6 KB answers does not take CPU from the server it shares two cores with.
 * The manuals are ingested once into a prepared data dir; every profile runs on a fresh copy of it.
 * --rounds N runs the workloads N times over, in turn, on the same server: on a machine whose speed
 * drifts from one minute to the next, the cached answer's rate is then compared with /health's in the
 * same minute (`cached_to_health` per round, and its median), not with a run minutes apart.
 * --warmup S (default 3) first sends /health and the hot question for S seconds each, unmeasured, on
 * each new server: without it the first round timed the JIT compiling the cached path and the hot
 * question's one miss, and its cached-to-/health ratio was the lowest of every run (ADR 0037). Only
 * these two: a Zipf or unique warm-up would fill the cache the hit rate is measured on.
 * Never asserts on time: the figures go in the closing note.
 */
import autocannon from 'autocannon';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evalManualsDir, loadQa, repoRoot } from '../test/helpers/eval-manuals.js';
import { ApiClient } from './http-client.js';
import { BENCH_USER, startOnPreparedCopy, startServerProcess } from './server-process.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    profiles: { type: 'string', default: 'minimal,full' },
    workloads: { type: 'string', default: 'health,hot,zipf,unique' },
    // Keep the ingested data dir here and reuse it on the next run (the bench user and manuals are in it).
    prepared: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '3' },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const rounds = Math.max(1, Number(args.rounds));
const warmup = Math.max(0, Number(args.warmup));

/** The bench user must never meet its own quota or rate limit: what is measured is the server's capacity. */
const UNLIMITED = { DailyQuotaLimit: '0', MonthlyQuotaLimit: '0', RateLimitRequests: '1000000', SignupRequestsPerIpPerHour: '1000' };

/** Flags on top of the minimal parameters file, per profile name. */
const PROFILES: Record<string, { file: string; env?: Record<string, string> }> = {
  minimal: { file: 'parameters-minimal.json' },
  security: { file: 'parameters-minimal.json', env: { EnableAdvancedSecurity: 'true', EnableWAF: 'true' } },
  performance: { file: 'parameters-minimal.json', env: { EnablePerformanceOptimization: 'true' } },
  redis: { file: 'parameters-minimal.json', env: { EnableRedisCache: 'true' } },
  full: { file: 'parameters-full.json' },
};

const kb = (status: string, key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? 0);
function processTree(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* gone */
  }
  return [pid, ...kids.flatMap(processTree)];
}
function rssPerProcess(pid: number) {
  return processTree(pid).flatMap((p) => {
    try {
      const s = readFileSync(`/proc/${p}/status`, 'utf8');
      return [{ pid: p, rss_mb: Math.round(kb(s, 'VmRSS') / 1024), peak_rss_mb: Math.round(kb(s, 'VmHWM') / 1024) }];
    } catch {
      return [];
    }
  });
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : null);

/** Zipf(s = 1) over the questions: question k is asked in proportion to 1/k. */
function zipfPicker(items: string[]): () => string {
  const weights = items.map((_, k) => 1 / (k + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((acc, w) => (cumulative.push((acc + w) / total), acc + w), 0);
  return () => {
    const r = Math.random();
    return items[cumulative.findIndex((c) => r <= c)] ?? items[items.length - 1]!;
  };
}

interface Workload {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  /** The same question on every request (its body is built once). */
  fixed?: string;
  /** A fresh question per request (POST /api/query). */
  question?: () => string;
}

type CacheCounts = { hit: number; miss: number; bypass: number };

/** The server's answers so far by cache status, summed over its processes (/metrics). */
async function answerCounts(url: string): Promise<CacheCounts> {
  const text = await (await fetch(`${url}/metrics`, { headers: { 'user-agent': 'manuel-bench-load/1' } })).text();
  const counts: CacheCounts = { hit: 0, miss: 0, bypass: 0 };
  for (const m of text.matchAll(/^manuel_answers_total\{[^}]*cache_status="(hit|miss|bypass)"[^}]*\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/gm)) {
    counts[m[1] as keyof CacheCounts] += Number(m[2]);
  }
  return counts;
}

async function runWorkload(url: string, token: string, w: Workload, seconds = duration) {
  // Latencies by the second of the run they ended in: a slow start shows apart from the rest.
  const perSecond: number[][] = [];
  // A User-Agent like every real client: the WAF refuses requests without one (common.no_user_agent).
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'manuel-bench-load/1' };
  const asks = Boolean(w.fixed ?? w.question);
  const before = asks ? await answerCounts(url) : null;
  const started = performance.now();
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: w.method,
        path: w.path,
        headers,
        ...(w.fixed ? { body: JSON.stringify({ question: w.fixed }) } : {}),
        ...(w.question ? { setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ question: w.question!() }) }) } : {}),
      },
    ],
  } as autocannon.Options) as unknown as Promise<autocannon.Result> & { on(ev: 'response', fn: (...a: any[]) => void): void };
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => (perSecond[Math.floor((performance.now() - started) / 1000)] ??= []).push(ms));
  const r = await instance;
  const latencies = perSecond.flat().sort((a, b) => a - b);
  let counts: CacheCounts | undefined;
  if (before) {
    const after = await answerCounts(url);
    counts = { hit: after.hit - before.hit, miss: after.miss - before.miss, bypass: after.bypass - before.bypass };
  }
  const answered = counts ? counts.hit + counts.miss + counts.bypass : 0;
  return {
    workload: w.name,
    requests: r.requests.total,
    req_per_s: Math.round(r.requests.average * 10) / 10,
    // Shed requests (503) come back at once and autocannon sends the next: count answers apart.
    ok_per_s: Math.round(((r.requests.total - r.non2xx) / seconds) * 10) / 10,
    latency_ms: { p50: pct(latencies, 0.5), p95: pct(latencies, 0.95), p99: pct(latencies, 0.99), max: latencies.at(-1) ?? null },
    errors: r.errors,
    timeouts: r.timeouts,
    non_2xx: r.non2xx,
    status_5xx: r['5xx'],
    status_4xx: r['4xx'],
    hit_rate: answered ? Math.round((counts!.hit / answered) * 1000) / 1000 : null,
    cache_status: counts,
    per_second: {
      answers: Array.from(perSecond, (xs) => xs?.length ?? 0),
      p95_ms: Array.from(perSecond, (xs) => (xs?.length ? Math.round(pct(xs.sort((a, b) => a - b), 0.95)!) : null)),
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : null;
};

/** The hot (cached) workload's req/s over /health's, per round (each pair run back to back) and their median. */
function cachedToHealth(results: Array<{ round?: number; workload: string; req_per_s: number }>) {
  const byRound = new Map<number, { health?: number; hot?: number }>();
  for (const r of results) {
    const e = byRound.get(r.round ?? 1) ?? {};
    if (r.workload === 'health' || r.workload === 'hot') e[r.workload] = r.req_per_s;
    byRound.set(r.round ?? 1, e);
  }
  const ratios = [...byRound.values()].filter((e) => e.health && e.hot !== undefined).map((e) => Math.round((e.hot! / e.health!) * 1000) / 1000);
  if (!ratios.length) return {};
  const perWorkload = (w: string) => median(results.filter((r) => r.workload === w).map((r) => r.req_per_s));
  return { cached_to_health: { per_round: ratios, median: median(ratios), health_req_per_s_median: perWorkload('health'), hot_req_per_s_median: perWorkload('hot') } };
}

/** Ingests the eval manuals once through a real server, for every profile to copy. */
async function prepareDataDir(dir: string): Promise<string> {
  if (existsSync(join(dir, 'manuel.db'))) return dir;
  mkdirSync(dir, { recursive: true });
  const server = await startServerProcess({ MANUEL_DATA_DIR: dir, MANUEL_PARAMETERS: join(repoRoot, 'infra', 'parameters-minimal.json'), ...UNLIMITED });
  try {
    const api = new ApiClient(server.url);
    await api.signup(BENCH_USER.email, BENCH_USER.password);
    const manualsDir = evalManualsDir();
    const names = [...new Set(loadQa().map((q) => q.manual))];
    const t0 = Date.now();
    const jobs = await Promise.all(names.map((n) => api.uploadPdf(join(manualsDir, n))));
    for (const j of jobs) await api.waitForJob(j.job_id, j.manual_id);
    console.error(`load: ingested ${names.length} manuals in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await server.stop();
  }
  return dir;
}

async function runProfile(name: string, prepared: string, workloads: Workload[]) {
  const profile = PROFILES[name];
  if (!profile) throw new Error(`unknown profile ${name} (known: ${Object.keys(PROFILES).join(', ')})`);
  const server = await startOnPreparedCopy(prepared, { MANUEL_PARAMETERS: join(repoRoot, 'infra', profile.file), ...profile.env, ...UNLIMITED });
  try {
    const results = [];
    if (warmup > 0) {
      for (const w of workloads.filter((x) => x.name === 'health' || x.name === 'hot')) await runWorkload(server.url, server.api.token, w, warmup);
      console.error(`load: ${name} warmed up (${warmup} s of health and hot, not measured)`);
    }
    for (let round = 1; round <= rounds; round++) {
      for (const w of workloads) {
        results.push({ ...(rounds > 1 ? { round } : {}), ...(await runWorkload(server.url, server.api.token, w)), rss_after: rssPerProcess(server.child.pid!) });
        console.error(`load: ${name}/${w.name}${rounds > 1 ? ` round ${round}` : ''} done`);
      }
    }
    return { profile: name, processes: processTree(server.child.pid!).length, results, ...cachedToHealth(results) };
  } finally {
    await server.stop();
  }
}

async function main() {
  if (!existsSync(join(repoRoot, 'infra', 'parameters-full.json'))) throw new Error('infra/parameters-full.json is missing');
  const run = Date.now().toString(36);
  const questions = loadQa().map((q) => q.question);
  const zipf = zipfPicker(questions);
  let n = 0;
  const all: Workload[] = [
    { name: 'health', method: 'GET', path: '/health' },
    { name: 'hot', method: 'POST', path: '/api/query', fixed: questions[0]! },
    { name: 'zipf', method: 'POST', path: '/api/query', question: zipf },
    // A unique suffix makes every question new: every answer is a cache miss.
    { name: 'unique', method: 'POST', path: '/api/query', question: () => `${questions[n % questions.length]} (variant ${run}-${n++})` },
  ];
  const wanted = args.workloads.split(',');
  const workloads = all.filter((w) => wanted.includes(w.name));
  const prepared = await prepareDataDir(args.prepared ?? mkdtempSync(join(tmpdir(), 'manuel-load-prepared-')));
  const out: Record<string, unknown> = { machine: { cores: cpus().length, node: process.version }, connections, duration_s: duration, warmup_s: warmup, profiles: [] as unknown[] };
  try {
    for (const name of args.profiles.split(',')) (out.profiles as unknown[]).push(await runProfile(name.trim(), prepared, workloads));
  } finally {
    if (!args.prepared) rmSync(prepared, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(`bench:load: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
});
