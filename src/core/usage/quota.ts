import type { Parameters } from '../../config/parameters.js';
import { errors } from '../errors.js';
import type { UsageOperation } from '../model/types.js';
import { systemClock } from '../ports/clock.js';
import { nextUtcDay, nextUtcMonth, QUOTA_OPERATIONS, toUsageInfo, usageInfo, type QuotaDeps, type QuotaParameters, type UsageInfo } from './usage-info.js';

export { QUOTA_OPERATIONS, toUsageInfo, usageInfo, type QuotaDeps, type UsageInfo } from './usage-info.js';
export { quotaSummary, usageSummary } from './usage-summary.js';

type PriceParameters = Pick<Parameters, 'PriceQueryEur' | 'PriceTranscribeMinuteEur' | 'PriceInputTokensPer1kEur' | 'PriceOutputTokensPer1kEur'>;

/** Throws quota_exceeded (with usage_info and retry_after_seconds) when one more operation is over a limit. Counts nothing. */
export async function checkQuota(deps: QuotaDeps, input: { userId: string; parameters: QuotaParameters }): Promise<UsageInfo> {
  const info = await usageInfo(deps, input.userId, input.parameters);
  const dayOver = info.daily_limit > 0 && info.daily_used >= info.daily_limit;
  const monthOver = info.monthly_limit > 0 && info.monthly_used >= info.monthly_limit;
  if (dayOver || monthOver) throw overQuota(deps, info, monthOver);
  return info;
}

export interface Reservation {
  info: UsageInfo;
  /** Gives the count back: the operation it was taken for failed. */
  release(): Promise<void>;
}

/**
 * Checks the quota and counts one operation in one atomic step, so concurrent requests cannot overshoot
 * it: with 10 left, 10 of 64 parallel questions get through. Record the event afterwards with
 * `recordUsage(..., { reserved: true })`, or `release()` when the operation failed.
 */
export async function reserveQuota(deps: QuotaDeps, input: { userId: string; parameters: QuotaParameters }): Promise<Reservation> {
  const at = (deps.clock ?? systemClock).now();
  const limits = { daily: input.parameters.DailyQuotaLimit, monthly: input.parameters.MonthlyQuotaLimit };
  const r = await deps.counters.checkAndCount(input.userId, limits, at);
  const info = toUsageInfo(r, input.parameters);
  if (!r.allowed) throw overQuota(deps, info, limits.monthly > 0 && r.month.count >= limits.monthly);
  let released = false;
  return {
    info,
    release: async () => {
      if (released) return;
      released = true;
      await deps.counters.add(input.userId, at, { count: -1, costEur: 0 });
    },
  };
}

function overQuota(deps: QuotaDeps, info: UsageInfo, monthOver: boolean) {
  const now = (deps.clock ?? systemClock).now();
  const until = monthOver ? nextUtcMonth(now) : nextUtcDay(now);
  return errors.quotaExceeded({
    usage_info: info,
    retry_after_seconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
    quota: monthOver ? 'monthly' : 'daily',
  });
}

/**
 * Appends the event to the history (and its cost to the cost ledger) and, for a quota operation, adds
 * it to the day and month counters (only its cost when `reserved`: reserveQuota already counted it).
 * The event and the counter update are issued together, so a store that group-commits (SQLite) writes
 * them in one transaction. Returns the usage_info after, or null when nothing was added (not a quota
 * operation, or reserved at no cost: use the reservation's).
 */
export async function recordUsage(
  deps: QuotaDeps,
  input: { userId: string; operation: UsageOperation; costEur?: number; detail?: Record<string, unknown>; reserved?: boolean; parameters?: QuotaParameters },
): Promise<UsageInfo | null> {
  const at = (deps.clock ?? systemClock).now();
  const costEur = input.costEur ?? 0;
  const recorded = deps.usage.record({
    userId: input.userId,
    operation: input.operation,
    at: at.toISOString(),
    costEur,
    ...(input.detail ? { detail: input.detail } : {}),
  });
  // Reserved and free: the reservation's totals are the answer; no second round trip to the counters.
  const counted = !QUOTA_OPERATIONS.includes(input.operation) || (input.reserved && costEur === 0) ? null : deps.counters.add(input.userId, at, { count: input.reserved ? 0 : 1, costEur });
  if (!counted) {
    await recorded; // the common case (a reserved, free question): nothing to join
    return null;
  }
  const [, totals] = await Promise.all([recorded, counted]);
  // cost_eur_total{operation} is counted where the event is stored (adapters/metrics/metered-usage-repo.ts).
  return input.parameters ? toUsageInfo(totals, input.parameters) : null;
}

/** One request's whole cost (a spoken question: transcription and query), for the RequestCostThreshold alarm. */
export function observeRequestCost(deps: Pick<QuotaDeps, 'metrics'>, costEur: number): void {
  deps.metrics?.observe('request_cost_eur', costEur);
}

export interface CostInfo {
  operation: UsageOperation;
  currency: 'EUR';
  total_cost: number;
  cost_breakdown: { service: string; operation: string; quantity: number; unit: string; cost: number }[];
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Cost of one request from the price parameters (all 0 by default: the embedded shape is free). */
export function costOf(
  input: { operation: UsageOperation; audioSeconds?: number; tokens?: { input: number; output: number; model?: string } },
  p: PriceParameters,
): CostInfo {
  const items: CostInfo['cost_breakdown'] = [];
  if (input.operation === 'query') items.push({ service: 'manuel', operation: 'query', quantity: 1, unit: 'requests', cost: p.PriceQueryEur });
  if (input.audioSeconds && input.audioSeconds > 0) {
    items.push({ service: 'transcribe', operation: 'speech_to_text', quantity: round6(input.audioSeconds), unit: 'seconds', cost: (input.audioSeconds / 60) * p.PriceTranscribeMinuteEur });
  }
  if (input.tokens) {
    const model = input.tokens.model ?? 'text-model';
    items.push({ service: model, operation: 'input_tokens', quantity: input.tokens.input, unit: 'tokens', cost: (input.tokens.input / 1000) * p.PriceInputTokensPer1kEur });
    items.push({ service: model, operation: 'output_tokens', quantity: input.tokens.output, unit: 'tokens', cost: (input.tokens.output / 1000) * p.PriceOutputTokensPer1kEur });
  }
  for (const i of items) i.cost = round6(i.cost);
  return { operation: input.operation, currency: 'EUR', total_cost: round6(items.reduce((s, i) => s + i.cost, 0)), cost_breakdown: items };
}
