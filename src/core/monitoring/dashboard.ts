import type { CostLedger } from '../ports/cost-ledger.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { ErrorRecord, ErrorTracker } from '../ports/error-tracker.js';
import type { IngestBacklog } from '../ports/ingest-backlog.js';
import type { Logger } from '../ports/logger.js';
import type { DayCost, MinuteStats, MinuteStatsStore } from '../ports/minute-stats.js';
import type { AlarmStatus } from './alarms.js';
import { LatencySketch } from './latency-sketch.js';
import { mergeByMinute, minuteOf } from './minute-stats.js';

export const DEFAULT_DASHBOARD_MINUTES = 180;
export const MAX_DASHBOARD_MINUTES = 7 * 24 * 60;
const COST_DAYS = 30;

/** The admin dashboard's data (`GET /api/admin/dashboard`); field names are the API's. */
export interface DashboardData {
  generated_at: string;
  window_minutes: number;
  series: {
    t: number[];
    requests: number[];
    errors_5xx: number[];
    errors_4xx: number[];
    p50_ms: (number | null)[];
    p95_ms: (number | null)[];
    cache_hits: number[];
    cache_misses: number[];
    cache_bypass: number[];
    answers: number[];
    pages_ingested: number[];
    chunks_indexed: number[];
    jobs_queued: number[];
    queue_depth: (number | null)[];
    dlq_size: (number | null)[];
    cost_eur: number[];
  };
  cache_hit_rate: number | null;
  cost_by_day: DayCost[];
  top_errors: ErrorRecord[];
  alarms: AlarmStatus[];
  dlq_size: number | null;
  queue_depth: number;
}

export interface DashboardDeps {
  stats: Pick<MinuteStatsStore, 'read' | 'costByDay'>;
  backlog: Pick<IngestBacklog, 'queued'>;
  ops: () => { costs?: CostLedger; errors?: ErrorTracker; deadLetters?: DeadLetterQueue };
  /** This process's minutes not written yet. */
  pending: () => MinuteStats[];
  alarms: () => Promise<AlarmStatus[]>;
  logger?: Logger;
}

const dayOf = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(0, 10);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A part of the dashboard that cannot be read is left empty (and logged) rather than failing the rest. */
async function orElse<T>(logger: Logger | undefined, what: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (e) {
    logger?.warn({ err: e, part: what }, 'dashboard part unreadable');
    return fallback;
  }
}

/** One point per minute of the window, ending with the current (partial) minute; minutes without data count 0. */
export async function buildDashboard(deps: DashboardDeps, now: Date, windowMinutes: number): Promise<DashboardData> {
  const current = minuteOf(now.getTime());
  const from = current - (windowMinutes - 1) * 60;
  const stored = await deps.stats.read(from, current);
  const pending = deps.pending();
  const byMinute = new Map(mergeByMinute([...stored, ...pending.filter((r) => r.minute >= from)]).map((r) => [r.minute, r]));
  const s: DashboardData['series'] = {
    t: [], requests: [], errors_5xx: [], errors_4xx: [], p50_ms: [], p95_ms: [], cache_hits: [], cache_misses: [], cache_bypass: [],
    answers: [], pages_ingested: [], chunks_indexed: [], jobs_queued: [], queue_depth: [], dlq_size: [], cost_eur: [],
  };
  for (let m = from; m <= current; m += 60) {
    const r = byMinute.get(m);
    const sketch = r ? LatencySketch.from(r.latency) : null;
    const q = (x: number) => (sketch && sketch.count > 0 ? round(sketch.quantile(x)!, 1) : null);
    s.t.push(m);
    s.requests.push(r?.requests ?? 0);
    s.errors_5xx.push(r?.errors5xx ?? 0);
    s.errors_4xx.push(r?.errors4xx ?? 0);
    s.p50_ms.push(q(0.5));
    s.p95_ms.push(q(0.95));
    s.cache_hits.push(r?.cacheHits ?? 0);
    s.cache_misses.push(r?.cacheMisses ?? 0);
    s.cache_bypass.push(r?.cacheBypass ?? 0);
    s.answers.push(r?.answers ?? 0);
    s.pages_ingested.push(r?.pagesIngested ?? 0);
    s.chunks_indexed.push(r?.chunksIndexed ?? 0);
    s.jobs_queued.push(r?.jobsQueued ?? 0);
    s.queue_depth.push(r?.queueDepth ?? null);
    s.dlq_size.push(r?.dlqSize ?? null);
    s.cost_eur.push(r ? round(Object.values(r.costs).reduce((t, c) => t + c.eur, 0), 6) : 0);
  }
  const hits = s.cache_hits.reduce((a, b) => a + b, 0);
  const looked = hits + s.cache_misses.reduce((a, b) => a + b, 0) + s.cache_bypass.reduce((a, b) => a + b, 0);
  const ops = deps.ops();
  const log = deps.logger;
  return {
    generated_at: now.toISOString(),
    window_minutes: windowMinutes,
    series: s,
    cache_hit_rate: looked > 0 ? round(hits / looked, 4) : null,
    cost_by_day: await orElse(log, 'cost_by_day', () => costByDay(deps, now, pending), []),
    top_errors: ops.errors ? await orElse(log, 'top_errors', () => ops.errors!.list({ limit: 10 }), []) : [],
    alarms: await orElse(log, 'alarms', deps.alarms, []),
    dlq_size: ops.deadLetters ? await orElse<number | null>(log, 'dlq_size', () => ops.deadLetters!.size(), null) : null,
    queue_depth: await orElse(log, 'queue_depth', () => deps.backlog.queued(), 0),
  };
}

/** Last 30 UTC days by operation: the cost ledger when there is one, else the per-minute aggregates. */
async function costByDay(deps: DashboardDeps, now: Date, pending: MinuteStats[]): Promise<DayCost[]> {
  const today = now.toISOString().slice(0, 10);
  const first = new Date(Date.parse(`${today}T00:00:00.000Z`) - (COST_DAYS - 1) * 86_400_000);
  const ledger = deps.ops().costs;
  if (ledger) {
    const lines = await ledger.dailyTotals(first.toISOString().slice(0, 10), today);
    return lines.map((l) => ({ day: l.day, operation: l.operation, eur: round(l.costEur, 6), count: l.count }));
  }
  const rows = await deps.stats.costByDay(first.getTime() / 1000, minuteOf(now.getTime()));
  const key = (d: DayCost) => `${d.day}\n${d.operation}`;
  const totals = new Map(rows.map((d) => [key(d), { ...d }]));
  for (const r of pending) {
    for (const [operation, c] of Object.entries(r.costs)) {
      const d = { day: dayOf(r.minute), operation, eur: c.eur, count: c.count };
      const t = totals.get(key(d));
      if (t) {
        t.eur += c.eur;
        t.count += c.count;
      } else totals.set(key(d), d);
    }
  }
  return [...totals.values()]
    .map((d) => ({ ...d, eur: round(d.eur, 6) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.operation.localeCompare(b.operation));
}
