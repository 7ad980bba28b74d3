import type { Parameters } from '../../config/parameters.js';
import { errors } from '../errors.js';
import type { UsageOperation } from '../model/types.js';
import { systemClock } from '../ports/clock.js';
import { nextUtcDay, nextUtcMonth, usageInfo, type QuotaDeps, type QuotaParameters, type UsageInfo } from './usage-info.js';

export { QUOTA_OPERATIONS, usageInfo, type QuotaDeps, type UsageInfo } from './usage-info.js';
export { quotaSummary, usageSummary } from './usage-summary.js';

type PriceParameters = Pick<Parameters, 'PriceQueryEur' | 'PriceTranscribeMinuteEur' | 'PriceInputTokensPer1kEur' | 'PriceOutputTokensPer1kEur'>;

/** Throws quota_exceeded (with usage_info and retry_after_seconds) when one more operation is over a limit. */
export async function checkQuota(deps: QuotaDeps, input: { userId: string; parameters: QuotaParameters }): Promise<UsageInfo> {
  const info = await usageInfo(deps, input.userId, input.parameters);
  const now = (deps.clock ?? systemClock).now();
  const dayOver = info.daily_limit > 0 && info.daily_used >= info.daily_limit;
  const monthOver = info.monthly_limit > 0 && info.monthly_used >= info.monthly_limit;
  if (!dayOver && !monthOver) return info;
  const until = monthOver ? nextUtcMonth(now) : nextUtcDay(now);
  throw errors.quotaExceeded({
    usage_info: info,
    retry_after_seconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
    quota: monthOver ? 'monthly' : 'daily',
  });
}

export async function recordUsage(
  deps: QuotaDeps,
  input: { userId: string; operation: UsageOperation; costEur?: number; detail?: Record<string, unknown> },
): Promise<void> {
  await deps.usage.record({
    userId: input.userId,
    operation: input.operation,
    at: (deps.clock ?? systemClock).now().toISOString(),
    costEur: input.costEur ?? 0,
    ...(input.detail ? { detail: input.detail } : {}),
  });
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
