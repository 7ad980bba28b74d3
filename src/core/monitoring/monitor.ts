import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AlarmStateStore } from '../ports/alarm-states.js';
import type { Clock } from '../ports/clock.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { ErrorTracker } from '../ports/error-tracker.js';
import type { IngestBacklog } from '../ports/ingest-backlog.js';
import type { Logger } from '../ports/logger.js';
import type { MinuteStatsStore } from '../ports/minute-stats.js';
import type { Notifier } from '../ports/notifier.js';
import type { UsageCounters } from '../ports/usage-counters.js';
import { evaluateAlarms, measureAlarms, status, type AlarmOptions, type AlarmParameters, type AlarmStatus } from './alarms.js';
import { buildDashboard, type DashboardData } from './dashboard.js';
import { MinuteAggregator } from './minute-aggregator.js';
import { minuteOf } from './minute-stats.js';

export interface MonitorDeps {
  stats: MinuteStatsStore;
  alarmStates: AlarmStateStore;
  counters: Pick<UsageCounters, 'read'>;
  backlog: IngestBacklog;
  parameters: AlarmParameters & { LogRetentionDays: number };
  ops: () => { costs?: CostLedger; notifier?: Notifier; errors?: ErrorTracker; deadLetters?: DeadLetterQueue };
  clock: Clock;
  logger: Logger;
}

export interface MonitorOptions extends AlarmOptions {
  /** This process's name in the store (default `<host>:<pid>:<random>`). */
  source?: string;
  /** Seconds after each minute boundary at which the minute is flushed and alarms evaluated (default 2). */
  tickOffsetSeconds?: number;
}

/**
 * Monitoring of one process (EnableAdvancedErrorHandling or EnableXRayTracing): figures per minute in
 * memory, flushed to the store once a minute and at shutdown, then alarms evaluated over every
 * process's rows. `tick()` is the whole minute's work; `start()` runs it on the wall clock, and tests
 * call it themselves with a clock they move.
 */
export class Monitor {
  readonly source: string;
  readonly minutes: MinuteAggregator;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private last: AlarmStatus[] | null = null;

  constructor(
    private readonly deps: MonitorDeps,
    private readonly opts: MonitorOptions = {},
  ) {
    this.source = opts.source ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 6)}`;
    this.minutes = new MinuteAggregator(deps.clock);
  }

  start(): void {
    if (this.timer) return;
    const offsetMs = (this.opts.tickOffsetSeconds ?? 2) * 1000;
    const schedule = () => {
      const now = Date.now();
      const wait = 60_000 - (now % 60_000) + offsetMs;
      this.timer = setTimeout(() => {
        void this.tick();
        schedule();
      }, wait);
      this.timer.unref();
    };
    schedule();
  }

  /** Closes the minutes before the current one: samples the gauges, writes, prunes, evaluates the alarms. Never throws. */
  tick(): Promise<AlarmStatus[] | null> {
    const run = this.running.then(() => this.minuteWork());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async minuteWork(): Promise<AlarmStatus[] | null> {
    const now = this.deps.clock.now();
    const current = minuteOf(now.getTime());
    const { logger, stats } = this.deps;
    try {
      this.minutes.sample(current - 60, await this.gauges());
      await this.flush(current);
      await stats.prune(current - this.deps.parameters.LogRetentionDays * 86_400);
    } catch (e) {
      logger.error({ err: e }, 'per-minute aggregates not written; kept for the next minute');
    }
    try {
      this.last = await evaluateAlarms(this.deps, now, this.opts);
      return this.last;
    } catch (e) {
      logger.error({ err: e }, 'alarm evaluation failed');
      return null;
    }
  }

  private async gauges(): Promise<{ dlqSize: number | null; queueDepth: number | null }> {
    const dlq = this.deps.ops().deadLetters;
    const [dlqSize, queueDepth] = await Promise.all([
      dlq ? dlq.size().catch(() => null) : null,
      this.deps.backlog.queued().catch(() => null),
    ]);
    return { dlqSize, queueDepth };
  }

  /** Writes the minutes before `beforeMinute` (all, at shutdown); on failure they stay for the next try. */
  private async flush(beforeMinute?: number): Promise<void> {
    const rows = this.minutes.take(beforeMinute);
    if (rows.length === 0) return;
    try {
      await this.deps.stats.add(this.source, rows);
    } catch (e) {
      this.minutes.putBack(rows);
      throw e;
    }
  }

  /** Stops the timer and writes everything, the current minute included (shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    await this.flush().catch((e) => this.deps.logger.error({ err: e }, 'per-minute aggregates lost at shutdown'));
  }

  /**
   * Writes everything held now, the current minute included, and keeps running: a Lambda container
   * calls it at the end of each invocation, before it is frozen (a store that adds rows up, such as
   * DynamoDbMinuteStats, takes a minute in several parts). A failed write keeps the rows for the next
   * call. Never throws.
   */
  async flushNow(): Promise<void> {
    await this.running;
    await this.flush().catch((e) => this.deps.logger.error({ err: e }, 'per-minute aggregates not written; kept for the next invocation'));
  }

  /** The alarms as last evaluated; before the first evaluation, measured now with the stored states. */
  async alarms(): Promise<AlarmStatus[]> {
    if (this.last) return this.last;
    const [measured, stored] = await Promise.all([measureAlarms(this.deps, this.deps.clock.now(), this.opts), this.deps.alarmStates.list()]);
    return measured.map((m) => status(m, stored.find((r) => r.name === m.name) ?? null));
  }

  dashboard(windowMinutes: number): Promise<DashboardData> {
    return buildDashboard(
      { stats: this.deps.stats, backlog: this.deps.backlog, ops: this.deps.ops, pending: () => this.minutes.pending(), alarms: () => this.alarms(), logger: this.deps.logger },
      this.deps.clock.now(),
      windowMinutes,
    );
  }
}
