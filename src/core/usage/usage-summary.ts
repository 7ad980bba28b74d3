import type { UsageOperation } from '../model/types.js';
import { systemClock } from '../ports/clock.js';
import type { CostLedger, CostLine } from '../ports/cost-ledger.js';
import { QUOTA_OPERATIONS, startOfUtcDay, startOfUtcMonth, usageInfo, type QuotaDeps, type QuotaParameters } from './usage-info.js';

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const percent = (used: number, limit: number) => (limit > 0 ? Math.round((used / limit) * 1000) / 10 : 0);

/** GET /api/user/quota, shaped like the original API. */
export async function quotaSummary(deps: QuotaDeps, input: { userId: string; parameters: QuotaParameters }) {
  const info = await usageInfo(deps, input.userId, input.parameters);
  const last = (await deps.usage.recent(input.userId, 1))[0];
  const daily = percent(info.daily_used, info.daily_limit);
  const monthly = percent(info.monthly_used, info.monthly_limit);
  const worst = Math.max(daily, monthly);
  return {
    user_id: input.userId,
    quotas: {
      daily: { limit: info.daily_limit, used: info.daily_used, remaining: info.daily_remaining, percent_used: daily },
      monthly: { limit: info.monthly_limit, used: info.monthly_used, remaining: info.monthly_remaining, percent_used: monthly },
    },
    status: worst >= 100 ? 'EXCEEDED' : worst >= 90 ? 'CRITICAL' : worst >= 75 ? 'WARNING' : worst >= 50 ? 'MODERATE' : 'OK',
    last_operation: last?.operation ?? null,
    last_updated: last?.at ?? null,
    usage_info: info,
  };
}

const COST_OPERATIONS: readonly UsageOperation[] = ['query', 'transcribe', 'upload'];

/** `daily_costs` / `monthly_costs`: EUR per operation and their total, for one period. */
export interface PeriodCosts {
  period: string;
  currency: 'EUR';
  query: number;
  transcribe: number;
  upload: number;
  total: number;
}

function periodCosts(period: string, lines: CostLine[]): PeriodCosts {
  const by = Object.fromEntries(COST_OPERATIONS.map((op) => [op, round6(lines.filter((l) => l.operation === op).reduce((s, l) => s + l.costEur, 0))])) as Record<UsageOperation, number>;
  return { period, currency: 'EUR', ...by, total: round6(lines.reduce((s, l) => s + l.costEur, 0)) };
}

/**
 * GET /api/user/usage: today and this month (counts, costs), the last 7 days, recent queries; with a
 * cost ledger, `daily_costs` and `monthly_costs` per operation (read in constant time).
 */
export async function usageSummary(deps: QuotaDeps & { costs?: CostLedger }, input: { userId: string; parameters: QuotaParameters; days?: number; recent?: number }) {
  const now = (deps.clock ?? systemClock).now();
  const days = input.days ?? 7;
  const info = await usageInfo(deps, input.userId, input.parameters);
  const today = await deps.usage.totals(input.userId, startOfUtcDay(now).toISOString());
  const month = await deps.usage.totals(input.userId, startOfUtcMonth(now).toISOString());

  // Totals are "since T": a day's count is since(day) - since(next day).
  const since: { date: string; count: number; ops: Partial<Record<string, number>> }[] = [];
  for (let i = days - 1; i >= -1; i--) {
    const d = new Date(startOfUtcDay(now).getTime() - i * 86_400_000);
    const t = await deps.usage.totals(input.userId, d.toISOString());
    since.push({ date: d.toISOString().slice(0, 10), count: t.count, ops: t.byOperation });
  }
  const historical = since.slice(0, -1).map((s, i) => {
    const next = since[i + 1]!;
    const operations = Object.fromEntries(Object.keys(s.ops).map((op) => [op, (s.ops[op] ?? 0) - (next.ops[op] ?? 0)]).filter(([, n]) => (n as number) > 0));
    return { date: s.date, daily_count: s.count - next.count, operations };
  });

  const recent = await deps.usage.recent(input.userId, input.recent ?? 10);
  const costs = deps.costs ? await deps.costs.userTotals(input.userId, now) : null;
  const iso = now.toISOString();
  return {
    user_id: input.userId,
    current: { ...info, last_operation: recent[0]?.operation ?? null, last_updated: recent[0]?.at ?? null },
    daily: { count: info.daily_used, limit: info.daily_limit, remaining: info.daily_remaining, cost_eur: round6(today.costEur), operations: today.byOperation },
    monthly: { count: info.monthly_used, limit: info.monthly_limit, remaining: info.monthly_remaining, cost_eur: round6(month.costEur), operations: month.byOperation },
    breakdown: {
      ...Object.fromEntries(QUOTA_OPERATIONS.map((op) => [op, month.byOperation[op] ?? 0])),
      total: QUOTA_OPERATIONS.reduce((n, op) => n + (month.byOperation[op] ?? 0), 0),
    },
    historical,
    recent_queries: recent
      .filter((e) => e.operation === 'query')
      .map((e): Record<string, unknown> => ({ ...(e.detail ?? {}), at: e.at, cost_eur: e.costEur })),
    ...(costs ? { daily_costs: periodCosts(iso.slice(0, 10), costs.day), monthly_costs: periodCosts(iso.slice(0, 7), costs.month) } : {}),
  };
}
