import type { MinuteStats } from '../ports/minute-stats.js';
import { mergeBuckets } from './latency-sketch.js';

/** At most this many user ids per minute row (the QuotaUsageThreshold alarm reads their counters). */
export const MAX_ACTIVE_USERS = 500;

/** Unix seconds of the start of the minute holding `ms`. */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60;

export function emptyMinute(minute: number): MinuteStats {
  return {
    minute,
    requests: 0,
    errors5xx: 0,
    errors4xx: 0,
    latency: {},
    cacheHits: 0,
    cacheMisses: 0,
    cacheBypass: 0,
    answers: 0,
    pagesIngested: 0,
    chunksIndexed: 0,
    jobsQueued: 0,
    dlqSize: null,
    queueDepth: null,
    costs: {},
    maxRequestCostEur: 0,
    activeUsers: [],
  };
}

const SUMMED = ['requests', 'errors5xx', 'errors4xx', 'cacheHits', 'cacheMisses', 'cacheBypass', 'answers', 'pagesIngested', 'chunksIndexed', 'jobsQueued'] as const;

const maxOrNull = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

/**
 * Adds `row` into `into` (same minute): counts and costs add up, latency buckets merge, the gauges
 * keep the largest sample (each process samples the same shared queue), user ids are united.
 */
export function mergeMinute(into: MinuteStats, row: MinuteStats): MinuteStats {
  for (const k of SUMMED) into[k] += row[k];
  mergeBuckets(into.latency, row.latency);
  into.dlqSize = maxOrNull(into.dlqSize, row.dlqSize);
  into.queueDepth = maxOrNull(into.queueDepth, row.queueDepth);
  for (const [op, c] of Object.entries(row.costs)) {
    const t = (into.costs[op] ??= { eur: 0, count: 0 });
    t.eur += c.eur;
    t.count += c.count;
  }
  into.maxRequestCostEur = Math.max(into.maxRequestCostEur, row.maxRequestCostEur);
  if (row.activeUsers.length > 0) into.activeUsers = [...new Set([...into.activeUsers, ...row.activeUsers])].slice(0, MAX_ACTIVE_USERS);
  return into;
}

/** Rows of any sources merged per minute, ascending. */
export function mergeByMinute(rows: Iterable<MinuteStats>): MinuteStats[] {
  const out = new Map<number, MinuteStats>();
  for (const r of rows) {
    const m = out.get(r.minute);
    if (m) mergeMinute(m, r);
    else out.set(r.minute, mergeMinute(emptyMinute(r.minute), r));
  }
  return [...out.values()].sort((a, b) => a.minute - b.minute);
}
