import { z } from '@hono/zod-openapi';
import { ALARM_NAMES } from '../../core/monitoring/alarms.js';
import { DEFAULT_DASHBOARD_MINUTES, MAX_DASHBOARD_MINUTES } from '../../core/monitoring/dashboard.js';

export const DashboardQuery = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_DASHBOARD_MINUTES)
    .default(DEFAULT_DASHBOARD_MINUTES)
    .openapi({ param: { name: 'minutes', in: 'query' }, description: `Minutes shown, ending now (default ${DEFAULT_DASHBOARD_MINUTES}, at most 7 days)`, example: 180 }),
});

const counts = z.array(z.number());
const maybe = z.array(z.number().nullable());

const ErrorRecordSchema = z
  .object({
    fingerprint: z.string(),
    error_type: z.string(),
    message: z.string(),
    where: z.string(),
    severity: z.enum(['critical', 'high', 'medium']),
    count: z.number().int(),
    first_seen: z.string(),
    last_seen: z.string(),
    sample_request_id: z.string().nullable(),
  })
  .openapi('DashboardErrorRecord');

export const AlarmSchema = z
  .object({
    name: z.enum(ALARM_NAMES),
    state: z.enum(['ok', 'alarm', 'insufficient_data']),
    value: z.number().nullable().openapi({ description: 'The figure last evaluated; null without enough data' }),
    threshold: z.number(),
    unit: z.enum(['%', 'ms', 'EUR']),
    since: z.string().nullable().openapi({ description: 'When it entered this state (ISO 8601)' }),
  })
  .openapi('DashboardAlarm');

export const DashboardSchema = z
  .object({
    generated_at: z.string(),
    window_minutes: z.number().int(),
    series: z
      .object({
        t: counts.openapi({ description: 'Unix seconds of the start of each minute, oldest first; the last is the current, partial minute' }),
        requests: counts,
        errors_5xx: counts,
        errors_4xx: counts,
        p50_ms: maybe.openapi({ description: 'Latency percentiles (2 % relative accuracy); null for a minute without requests' }),
        p95_ms: maybe,
        cache_hits: counts,
        cache_misses: counts,
        cache_bypass: counts,
        answers: counts,
        pages_ingested: counts,
        chunks_indexed: counts,
        jobs_queued: counts.openapi({ description: 'Ingest jobs enqueued in the minute' }),
        queue_depth: maybe.openapi({ description: 'Jobs waiting at the end of the minute; null when not sampled' }),
        dlq_size: maybe.openapi({ description: 'Dead letters at the end of the minute; null when not sampled or no DLQ' }),
        cost_eur: counts,
      })
      .openapi({ description: 'One entry per minute in every array, all of the same length' }),
    cache_hit_rate: z.number().nullable().openapi({ description: 'hits / (hits + misses + bypass) over the window; null without answers' }),
    cost_by_day: z.array(z.object({ day: z.string(), operation: z.string(), eur: z.number(), count: z.number() })).openapi({ description: 'Last 30 UTC days' }),
    top_errors: z.array(ErrorRecordSchema),
    alarms: z.array(AlarmSchema).openapi({ description: 'An alarm whose threshold is 0 is off and not listed' }),
    dlq_size: z.number().nullable(),
    queue_depth: z.number().int(),
  })
  .openapi('Dashboard');
