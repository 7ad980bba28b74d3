import { retryAfterSeconds } from './check-http.js';
import { CHECK_QUESTIONS, zipfPicker } from './check-manual.js';
import type { CheckRun, CheckUser, Criterion } from './check-types.js';
import { row } from './check-types.js';

/** Share of the load that asks a question never asked before (a certain cache miss). */
export const NEW_QUESTION_SHARE = 0.1;
export const P95_TARGET_MS = 2000;
export const CACHE_HIT_TARGET = 0.6;

export interface LoadFigures {
  sent: number;
  answered: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** 5xx, network failures and time-outs: requests the deployment dropped. */
  dropped: number;
  errors5xx: number;
  timeouts: number;
  network: number;
  /** 429 rate_limited: refused on purpose, waited out like a polite client. */
  rateLimited: number;
  quotaRefused: number;
  other4xx: number;
  cache: { hit: number; miss: number; bypass: number };
  hitRate: number | null;
  /** Repeated questions asked once before the timed load, not counted: the cache is judged on traffic it has seen. */
  warmup: number;
  seconds: number;
  concurrency: number;
  stoppedBy: 'duration' | 'request cap' | 'interrupted';
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A closed-loop load: `concurrency` workers, each sending its next question as soon as the last is
 * answered, until the duration is over or the request cap is reached (whichever first), so it always
 * stops by itself. Before it, each repeated question is asked once, in turn, and not counted: a
 * cache's hit rate is a steady-state figure, and a short run would otherwise judge mostly the first
 * asks (8 cold misses, and the same question in flight on several workers at once, out of the ~40
 * answers a 3 s run gets). Workers are plain fetch() calls (Node's undici pool): autocannon is only a
 * devDependency, and the check needs per-response bodies (cache_status) which autocannon does not keep.
 */
export async function runLoad(run: CheckRun, user: CheckUser, manualId: string, id: string): Promise<LoadFigures> {
  const { durationMs, concurrency, maxRequests } = run.options;
  const pick = zipfPicker(CHECK_QUESTIONS.length);
  const f: LoadFigures = {
    sent: 0, answered: 0, p50: null, p95: null, p99: null, dropped: 0, errors5xx: 0, timeouts: 0, network: 0,
    rateLimited: 0, quotaRefused: 0, other4xx: 0, cache: { hit: 0, miss: 0, bypass: 0 }, hitRate: null, warmup: 0, seconds: 0, concurrency, stoppedBy: 'duration',
  };
  /** A 5xx, time-out or network failure: dropped by the deployment, whenever it happens. */
  const countDropped = (res: { status: number; failure?: string }) => {
    if (res.status >= 500) f.errors5xx++;
    else if (res.status === 0 && res.failure === 'timeout') f.timeouts++;
    else if (res.status === 0 && res.failure === 'network') f.network++;
    else return false;
    return true;
  };
  for (const q of CHECK_QUESTIONS) {
    if (run.stopping()) break;
    // Its answer is not measured, but a warm-up question the deployment drops still counts as dropped.
    countDropped(await run.http.send('POST', '/api/query', { token: user.token, json: { question: q.question, manual_ids: [manualId] }, rateLimitWaitMs: 0 }));
    f.warmup++;
  }
  const latencies: number[] = [];
  let fresh = 0;
  const started = Date.now();
  const end = started + durationMs;
  const worker = async () => {
    while (Date.now() < end) {
      if (run.stopping()) return void (f.stoppedBy = 'interrupted');
      if (f.sent >= maxRequests) return void (f.stoppedBy = 'request cap');
      f.sent++;
      const question = Math.random() < NEW_QUESTION_SHARE ? `What does the kettle guide say about item ${id}-${++fresh}?` : CHECK_QUESTIONS[pick()]!.question;
      const res = await run.http.send('POST', '/api/query', { token: user.token, json: { question, manual_ids: [manualId] }, rateLimitWaitMs: 0 });
      if (res.status === 200) {
        f.answered++;
        latencies.push(res.ms);
        const c = res.json?.cache_status as keyof LoadFigures['cache'];
        if (c in f.cache) f.cache[c]++;
      } else if (countDropped(res)) continue;
      else if (res.status === 0) return; // aborted: the check is stopping
      else if (res.status === 429 && res.json?.error_type === 'rate_limited') {
        f.rateLimited++;
        const wait = Math.min((retryAfterSeconds(res.headers) ?? 1) * 1000, end - Date.now());
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else if (res.status === 429) {
        f.quotaRefused++;
        const wait = Math.min(1000, end - Date.now());
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      } else f.other4xx++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  f.seconds = (Date.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  [f.p50, f.p95, f.p99] = [percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99)];
  f.dropped = f.errors5xx + f.timeouts + f.network;
  const cached = f.cache.hit + f.cache.miss + f.cache.bypass;
  f.hitRate = cached > 0 ? f.cache.hit / cached : null;
  return f;
}

const ms = (v: number | null) => (v === null ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);

export function loadRows(f: LoadFigures | null, why: string, minimal: boolean): Criterion[] {
  if (!f) {
    return [
      row('p95', 'p95 response time < 2 s', 'fail', 'not measured', why),
      row('cache', 'Cache hit rate > 60 %', 'fail', 'not measured', why),
      row('dropped', 'Zero dropped requests', 'fail', 'not measured', why),
    ];
  }
  const load = `${f.sent} requests, ${f.concurrency} workers, ${f.seconds.toFixed(1)} s (stopped by ${f.stoppedBy}) after ${f.warmup} warm-up questions`;
  const refused = f.rateLimited + f.quotaRefused ? `; ${f.rateLimited} rate-limited and ${f.quotaRefused} over quota (refused on purpose, not counted as dropped)` : '';
  const rows: Criterion[] = [];
  rows.push(
    f.p95 === null
      ? row('p95', 'p95 response time < 2 s', 'fail', 'no answers', `none of ${f.sent} questions was answered 200${refused}`)
      : row('p95', 'p95 response time < 2 s', f.p95 < P95_TARGET_MS ? 'pass' : 'fail', `p50 ${ms(f.p50)} · p95 ${ms(f.p95)} · p99 ${ms(f.p99)}`, `${f.answered} answers of ${load}`),
  );
  const c = f.cache;
  const cacheFigure = `${f.hitRate === null ? '–' : `${(f.hitRate * 100).toFixed(1)} %`} (${c.hit} hit / ${c.miss} miss / ${c.bypass} bypass)`;
  if (f.hitRate === null) rows.push(row('cache', 'Cache hit rate > 60 %', 'fail', cacheFigure, 'no answer carried a cache_status'));
  else if (c.hit + c.miss === 0 && minimal) rows.push(row('cache', 'Cache hit rate > 60 %', 'n/a', cacheFigure, 'the minimal profile answers without a cache (every answer bypass)'));
  else rows.push(row('cache', 'Cache hit rate > 60 %', f.hitRate > CACHE_HIT_TARGET ? 'pass' : 'fail', cacheFigure, `server's cache_status over a Zipf mix, ${Math.round(NEW_QUESTION_SHARE * 100)} % new questions, each repeated question asked once before (${f.warmup} warm-up questions, not counted)`));
  rows.push(
    row('dropped', 'Zero dropped requests', f.dropped === 0 ? 'pass' : 'fail', `${f.dropped} dropped (${f.errors5xx} 5xx, ${f.timeouts} time-outs, ${f.network} network)`, `${load}${refused}${f.other4xx ? `; ${f.other4xx} other 4xx` : ''}`),
  );
  return rows;
}
