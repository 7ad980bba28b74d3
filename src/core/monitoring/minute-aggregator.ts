import type { Clock } from '../ports/clock.js';
import type { MinuteStats } from '../ports/minute-stats.js';
import { LatencySketch } from './latency-sketch.js';
import { emptyMinute, MAX_ACTIVE_USERS, mergeMinute, minuteOf } from './minute-stats.js';

interface Open {
  stats: MinuteStats;
  sketch: LatencySketch;
  users: Set<string>;
}

/**
 * This process's figures per minute, in memory until flushed to the store. Every call is a few map
 * operations (no I/O), so the request path pays microseconds. Minutes are taken by the clock when
 * an event is recorded (a request counts in the minute it ended).
 */
export class MinuteAggregator {
  private readonly open = new Map<number, Open>();

  constructor(private readonly clock: Clock) {}

  private current(): Open {
    const minute = minuteOf(this.clock.now().getTime());
    return this.at(minute);
  }

  private at(minute: number): Open {
    let o = this.open.get(minute);
    if (!o) {
      o = { stats: emptyMinute(minute), sketch: new LatencySketch(), users: new Set() };
      this.open.set(minute, o);
    }
    return o;
  }

  /** One HTTP response: its status, latency (ms) and, when it was priced, its cost (EUR). */
  request(status: number, ms: number, costEur?: number): void {
    const o = this.current();
    o.stats.requests++;
    if (status >= 500) o.stats.errors5xx++;
    else if (status >= 400) o.stats.errors4xx++;
    o.sketch.add(ms);
    if (costEur !== undefined && costEur > o.stats.maxRequestCostEur) o.stats.maxRequestCostEur = costEur;
  }

  answer(cacheStatus: string): void {
    const s = this.current().stats;
    s.answers++;
    if (cacheStatus === 'hit') s.cacheHits++;
    else if (cacheStatus === 'miss') s.cacheMisses++;
    else s.cacheBypass++;
  }

  ingested(pages: number, chunks: number): void {
    const s = this.current().stats;
    s.pagesIngested += pages;
    s.chunksIndexed += chunks;
  }

  jobQueued(): void {
    this.current().stats.jobsQueued++;
  }

  /** A usage event: its cost by operation, and its user as active (QuotaUsageThreshold). */
  usage(operation: string, costEur: number, userId: string | null): void {
    const o = this.current();
    const c = (o.stats.costs[operation] ??= { eur: 0, count: 0 });
    c.eur += costEur;
    c.count++;
    if (userId && o.users.size < MAX_ACTIVE_USERS) o.users.add(userId);
  }

  /** End-of-minute samples of shared state, kept with that minute. */
  sample(minute: number, gauges: { dlqSize: number | null; queueDepth: number | null }): void {
    const s = this.at(minute).stats;
    s.dlqSize = gauges.dlqSize;
    s.queueDepth = gauges.queueDepth;
  }

  /** Removes and returns the minutes before `beforeMinute` (all of them when omitted), to be written. */
  take(beforeMinute = Infinity): MinuteStats[] {
    const out: MinuteStats[] = [];
    for (const [minute, o] of this.open) {
      if (minute >= beforeMinute) continue;
      this.open.delete(minute);
      out.push(this.snapshot(o));
    }
    return out.sort((a, b) => a.minute - b.minute);
  }

  /** A write failed: keep the rows for the next flush (merged with whatever came since). */
  putBack(rows: MinuteStats[]): void {
    for (const r of rows) {
      const o = this.at(r.minute);
      const { latency, activeUsers, ...rest } = r;
      mergeMinute(o.stats, { ...rest, latency: {}, activeUsers: [] });
      o.sketch.merge(latency);
      for (const u of activeUsers) if (o.users.size < MAX_ACTIVE_USERS) o.users.add(u);
    }
  }

  /** The minutes not written yet (the dashboard shows the current minute from here). */
  pending(): MinuteStats[] {
    return [...this.open.values()].map((o) => this.snapshot(o)).sort((a, b) => a.minute - b.minute);
  }

  private snapshot(o: Open): MinuteStats {
    return { ...o.stats, costs: structuredClone(o.stats.costs), latency: o.sketch.toJSON(), activeUsers: [...o.users] };
  }
}
