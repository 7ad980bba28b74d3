import type { Parameters } from '../../config/parameters.js';
import type { UsageOperation } from '../model/types.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { Metrics } from '../ports/metrics.js';
import type { UsageCounters, UsageTotals } from '../ports/usage-counters.js';
import type { UsageRepo } from '../ports/usage-repo.js';

export type QuotaParameters = Pick<Parameters, 'DailyQuotaLimit' | 'MonthlyQuotaLimit'>;

export interface QuotaDeps {
  /** The event log: history only (GET /api/user/usage). */
  usage: UsageRepo;
  /** Day and month counters: what quotas and usage_info read, in constant time. */
  counters: UsageCounters;
  clock?: Clock;
  /** cost_eur_total{operation} and request_cost_eur, when given. */
  metrics?: Metrics;
}

/** Operations that count against the quotas (as in the original: questions and transcriptions). */
export const QUOTA_OPERATIONS: readonly UsageOperation[] = ['query', 'transcribe'];

/** Field names of the original API's usage_info. A limit of 0 means no limit. */
export interface UsageInfo {
  daily_used: number;
  daily_limit: number;
  daily_remaining: number;
  monthly_used: number;
  monthly_limit: number;
  monthly_remaining: number;
}

export const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
export const startOfUtcMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
export const nextUtcDay = (d: Date) => new Date(startOfUtcDay(d).getTime() + 86_400_000);
export const nextUtcMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

const finite = (n: number) => (Number.isFinite(n) ? n : -1);
const remaining = (limit: number, used: number) => (limit === 0 ? Number.POSITIVE_INFINITY : Math.max(0, limit - used));

export async function usageInfo(deps: QuotaDeps, userId: string, p: QuotaParameters): Promise<UsageInfo> {
  return toUsageInfo(await deps.counters.read(userId, (deps.clock ?? systemClock).now()), p);
}

export function toUsageInfo(t: UsageTotals, p: QuotaParameters): UsageInfo {
  return {
    daily_used: t.day.count,
    daily_limit: p.DailyQuotaLimit,
    // JSON has no Infinity: an unlimited quota reports -1 remaining.
    daily_remaining: finite(remaining(p.DailyQuotaLimit, t.day.count)),
    monthly_used: t.month.count,
    monthly_limit: p.MonthlyQuotaLimit,
    monthly_remaining: finite(remaining(p.MonthlyQuotaLimit, t.month.count)),
  };
}
