import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { quotaSummary, usageSummary } from '../../core/usage/quota.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { bearerSecurity, errorResponses, UsageInfoSchema } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';

const Period = z.object({ count: z.number(), limit: z.number(), remaining: z.number(), cost_eur: z.number(), operations: z.record(z.string(), z.number()) });

const PeriodCosts = (example: string) =>
  z.object({
    period: z.string().openapi({ example, description: 'The UTC day (YYYY-MM-DD) or month (YYYY-MM)' }),
    currency: z.literal('EUR'),
    query: z.number().openapi({ description: 'EUR spent on questions (PriceQueryEur, tokens when a text model answers)' }),
    transcribe: z.number().openapi({ description: 'EUR spent on transcriptions (PriceTranscribeMinuteEur)' }),
    upload: z.number().openapi({ description: 'EUR spent on uploads' }),
    total: z.number(),
  });

const UsageSchema = z
  .object({
    user_id: z.string(),
    current: UsageInfoSchema.extend({ last_operation: z.string().nullable(), last_updated: z.string().nullable() }),
    daily: Period,
    monthly: Period,
    breakdown: z.record(z.string(), z.number()),
    historical: z.array(z.object({ date: z.string(), daily_count: z.number(), operations: z.record(z.string(), z.number()) })),
    recent_queries: z.array(z.record(z.string(), z.unknown()).openapi({ description: 'at, cost_eur, question, context_found, cache_status, response_time_ms, ...' })),
    daily_costs: PeriodCosts('2025-03-10')
      .optional()
      .openapi({ description: "Today's costs (UTC) per operation and in total, from the cost ledger (always there in the embedded shape)" }),
    monthly_costs: PeriodCosts('2025-03').optional().openapi({ description: "This month's costs (UTC) per operation and in total" }),
  })
  .openapi('Usage');

const QuotaPeriod = z.object({ limit: z.number(), used: z.number(), remaining: z.number(), percent_used: z.number() });
const QuotaSchema = z
  .object({
    user_id: z.string(),
    quotas: z.object({ daily: QuotaPeriod, monthly: QuotaPeriod }),
    status: z.string().openapi({ example: 'OK', description: 'OK, MODERATE, WARNING, CRITICAL or EXCEEDED' }),
    last_operation: z.string().nullable(),
    last_updated: z.string().nullable(),
    usage_info: UsageInfoSchema,
  })
  .openapi('Quota');

const usageRoute = createRoute({
  method: 'get',
  path: '/user/usage',
  tags: ['usage'],
  summary: 'Your usage today and this month (counts, EUR costs), the last days and recent questions',
  security: bearerSecurity,
  responses: { 200: { description: 'Usage', content: { 'application/json': { schema: UsageSchema } } }, ...errorResponses(401) },
});

const quotaRoute = createRoute({
  method: 'get',
  path: '/user/quota',
  tags: ['usage'],
  summary: 'Your quotas: limits, used, remaining',
  security: bearerSecurity,
  responses: { 200: { description: 'Quota', content: { 'application/json': { schema: QuotaSchema } } }, ...errorResponses(401) },
});

export function usageRoutes(services: AppServices) {
  const parameters = services.parameters;
  return new OpenAPIHono<AppEnv>()
    .openapi(usageRoute, async (c) => c.json(await usageSummary({ ...services, costs: services.ops.costs }, { userId: currentUser(c).id, parameters }), 200))
    .openapi(quotaRoute, async (c) => c.json(await quotaSummary(services, { userId: currentUser(c).id, parameters }), 200));
}
