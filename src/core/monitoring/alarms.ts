import type { Parameters } from '../../config/parameters.js';
import type { AlarmRecord, AlarmState, AlarmStateStore } from '../ports/alarm-states.js';
import type { CostLedger } from '../ports/cost-ledger.js';
import type { Logger } from '../ports/logger.js';
import type { MinuteStatsStore } from '../ports/minute-stats.js';
import type { Notifier, Severity } from '../ports/notifier.js';
import type { UsageCounters } from '../ports/usage-counters.js';
import { LatencySketch } from './latency-sketch.js';

export const ALARM_NAMES = ['ErrorRateThreshold', 'LatencyThreshold', 'DailyCostThreshold', 'RequestCostThreshold', 'QuotaUsageThreshold'] as const;
export type AlarmName = (typeof ALARM_NAMES)[number];
export type AlarmUnit = '%' | 'ms' | 'EUR';

/** An alarm as the dashboard shows it. */
export interface AlarmStatus {
  name: AlarmName;
  state: AlarmState;
  value: number | null;
  threshold: number;
  unit: AlarmUnit;
  /** When it entered this state (ISO 8601); null before its first evaluation. */
  since: string | null;
}

export interface Measurement {
  name: AlarmName;
  state: AlarmState;
  value: number | null;
  threshold: number;
  unit: AlarmUnit;
  /** One line for the notification. */
  summary: string;
  fields: Record<string, string | number | boolean | null>;
}

export type AlarmParameters = Pick<
  Parameters,
  'ErrorRateThreshold' | 'LatencyThreshold' | 'DailyCostThreshold' | 'RequestCostThreshold' | 'QuotaUsageThreshold' | 'DailyQuotaLimit' | 'MonthlyQuotaLimit'
>;

export interface AlarmDeps {
  stats: Pick<MinuteStatsStore, 'read' | 'costByDay'>;
  alarmStates: AlarmStateStore;
  counters: Pick<UsageCounters, 'read'>;
  parameters: AlarmParameters;
  /** Read at each evaluation: other parts of the wiring may fill them in after start-up. */
  ops: () => { costs?: CostLedger; notifier?: Notifier };
  logger?: Logger;
}

export interface AlarmOptions {
  /** Minutes of the rate and latency windows (default 5), ending with the last complete minute. */
  windowMinutes?: number;
  /** Fewer requests than this in the window: ErrorRate and Latency are `insufficient_data` (default 20). */
  minRequests?: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const SEVERITY: Record<AlarmName, Severity> = {
  ErrorRateThreshold: 'critical',
  LatencyThreshold: 'high',
  DailyCostThreshold: 'high',
  RequestCostThreshold: 'high',
  QuotaUsageThreshold: 'medium',
};

function judge(value: number | null, threshold: number, enough = true): AlarmState {
  if (!enough || value === null) return 'insufficient_data';
  return value > threshold ? 'alarm' : 'ok';
}

/**
 * The five alarms' figures now, from the per-minute aggregates of every process (the window is the
 * last `windowMinutes` complete minutes). An alarm whose threshold is 0 is off and not measured.
 */
export async function measureAlarms(deps: AlarmDeps, now: Date, opts: AlarmOptions = {}): Promise<Measurement[]> {
  const p = deps.parameters;
  const w = opts.windowMinutes ?? 5;
  const minRequests = opts.minRequests ?? 20;
  const current = Math.floor(now.getTime() / 60_000) * 60;
  const rows = await deps.stats.read(current - w * 60, current - 60);
  const requests = rows.reduce((s, r) => s + r.requests, 0);
  const enough = requests >= minRequests && requests > 0;
  const out: Measurement[] = [];

  if (p.ErrorRateThreshold > 0) {
    const errors = rows.reduce((s, r) => s + r.errors5xx, 0);
    const rate = enough ? round((100 * errors) / requests) : null;
    out.push({
      name: 'ErrorRateThreshold', unit: '%', threshold: p.ErrorRateThreshold, value: rate, state: judge(rate, p.ErrorRateThreshold, enough),
      summary: `5xx rate ${rate ?? '-'} % over ${w} min (${errors} of ${requests} requests; threshold ${p.ErrorRateThreshold} %)`,
      fields: { errors_5xx: errors, requests, window_minutes: w },
    });
  }
  if (p.LatencyThreshold > 0) {
    const sketch = new LatencySketch();
    for (const r of rows) sketch.merge(r.latency);
    const p95 = enough ? round(sketch.quantile(0.95)!, 1) : null;
    out.push({
      name: 'LatencyThreshold', unit: 'ms', threshold: p.LatencyThreshold, value: p95, state: judge(p95, p.LatencyThreshold, enough),
      summary: `p95 latency ${p95 ?? '-'} ms over ${w} min (${requests} requests; threshold ${p.LatencyThreshold} ms)`,
      fields: { requests, window_minutes: w },
    });
  }
  if (p.DailyCostThreshold > 0) {
    const eur = round(await costToday(deps, now, current), 6);
    out.push({
      name: 'DailyCostThreshold', unit: 'EUR', threshold: p.DailyCostThreshold, value: eur, state: judge(eur, p.DailyCostThreshold),
      summary: `cost today ${eur} EUR, all users (threshold ${p.DailyCostThreshold} EUR)`,
      fields: { day: now.toISOString().slice(0, 10) },
    });
  }
  if (p.RequestCostThreshold > 0) {
    const max = round(rows.reduce((m, r) => Math.max(m, r.maxRequestCostEur), 0), 6);
    out.push({
      name: 'RequestCostThreshold', unit: 'EUR', threshold: p.RequestCostThreshold, value: max, state: judge(max, p.RequestCostThreshold),
      summary: `most expensive request ${max} EUR over ${w} min (threshold ${p.RequestCostThreshold} EUR)`,
      fields: { window_minutes: w },
    });
  }
  if (p.QuotaUsageThreshold > 0 && (p.DailyQuotaLimit > 0 || p.MonthlyQuotaLimit > 0)) {
    const users = [...new Set(rows.flatMap((r) => r.activeUsers))];
    const top = await quotaUsage(deps, users, now);
    const over = top.filter((u) => u.pct > p.QuotaUsageThreshold);
    const value = top.length > 0 ? round(top[0]!.pct, 1) : null;
    out.push({
      name: 'QuotaUsageThreshold', unit: '%', threshold: p.QuotaUsageThreshold, value, state: value === null ? 'ok' : judge(value, p.QuotaUsageThreshold),
      summary: `${over.length} of ${users.length} active users above ${p.QuotaUsageThreshold} % of a quota (highest ${value ?? '-'} %)`,
      fields: { users_over: over.length, active_users: users.length, top_user_id: top[0]?.userId ?? null, window_minutes: w },
    });
  }
  return out;
}

/** EUR today, every user: the cost ledger when there is one, else the per-minute aggregates. */
async function costToday(deps: AlarmDeps, now: Date, current: number): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const ledger = deps.ops().costs;
  if (ledger) {
    try {
      return (await ledger.dailyTotals(day, day)).reduce((s, l) => s + l.costEur, 0);
    } catch (e) {
      deps.logger?.warn({ err: e }, 'cost ledger unreadable; alarm uses the per-minute aggregates');
    }
  }
  const dayStart = Date.parse(`${day}T00:00:00.000Z`) / 1000;
  return (await deps.stats.costByDay(dayStart, current)).reduce((s, c) => s + c.eur, 0);
}

/** Each active user's highest share of a quota (day or month), largest first. */
async function quotaUsage(deps: AlarmDeps, users: string[], now: Date): Promise<{ userId: string; pct: number }[]> {
  const { DailyQuotaLimit: daily, MonthlyQuotaLimit: monthly } = deps.parameters;
  const read = await Promise.all(
    users.map(async (userId) => {
      const t = await deps.counters.read(userId, now);
      const pct = Math.max(daily > 0 ? (100 * t.day.count) / daily : 0, monthly > 0 ? (100 * t.month.count) / monthly : 0);
      return { userId, pct };
    }),
  );
  return read.sort((a, b) => b.pct - a.pct);
}

/**
 * Measures, then moves each alarm whose state changed (compare-and-set in the store: after a restart,
 * or in another process, an alarm already raised is not raised again). Entering or leaving `alarm`
 * sends one notification: its fingerprint names the transition, so the notifier never folds a clear
 * into the start it follows.
 */
export async function evaluateAlarms(deps: AlarmDeps, now: Date, opts: AlarmOptions = {}): Promise<AlarmStatus[]> {
  const measured = await measureAlarms(deps, now, opts);
  const stored = new Map((await deps.alarmStates.list()).map((r) => [r.name, r]));
  const out: AlarmStatus[] = [];
  for (const m of measured) {
    let rec: AlarmRecord | undefined = stored.get(m.name);
    if (rec?.state !== m.state) {
      const next: AlarmRecord = { name: m.name, state: m.state, since: now.toISOString(), value: m.value };
      if (await deps.alarmStates.transition(rec?.state ?? null, next)) {
        if (m.state === 'alarm' || rec?.state === 'alarm') notify(deps, m, next);
        rec = next;
      } else {
        rec = (await deps.alarmStates.list()).find((r) => r.name === m.name) ?? rec;
      }
    }
    out.push(status(m, rec ?? null));
  }
  return out;
}

/** Measured figures with the stored states (what the dashboard shows between evaluations). */
export function status(m: Measurement, rec: AlarmRecord | null): AlarmStatus {
  return { name: m.name, state: rec?.state ?? m.state, value: m.value, threshold: m.threshold, unit: m.unit, since: rec?.since ?? null };
}

function notify(deps: AlarmDeps, m: Measurement, next: AlarmRecord): void {
  const raised = next.state === 'alarm';
  const title = raised ? `ALARM ${m.name}: ${m.summary}` : `OK ${m.name} cleared: ${m.summary}`;
  deps.logger?.[raised ? 'warn' : 'info']({ alarm: m.name, state: next.state, value: m.value, threshold: m.threshold }, title);
  deps.ops().notifier?.notify({
    kind: 'alarm',
    severity: SEVERITY[m.name],
    fingerprint: `alarm:${m.name}:${next.state}:${next.since}`,
    title,
    fields: { alarm: m.name, state: raised ? 'alarm' : 'ok', value: m.value, threshold: m.threshold, unit: m.unit, since: next.since, ...m.fields },
  });
}
