import { z } from '@hono/zod-openapi';

const SeverityEnum = z.enum(['critical', 'high', 'medium']);

export const ErrorListQuery = z.object({
  severity: SeverityEnum.optional().openapi({ param: { name: 'severity', in: 'query' }, description: 'Only records of this severity' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
  since: z.string().datetime().optional().openapi({ param: { name: 'since', in: 'query' }, description: 'Only records last seen at or after this time (ISO 8601)' }),
});

export const ErrorRecordSchema = z
  .object({
    fingerprint: z.string().openapi({ description: 'Hash of error type, normalised message and route or job kind' }),
    error_type: z.string().openapi({ example: 'internal_error' }),
    message: z.string().openapi({ description: 'Normalised: ids, numbers, quoted values, paths and e-mail addresses replaced by placeholders', example: 'TypeError: Cannot read properties of undefined (reading <str>)' }),
    where: z.string().openapi({ description: 'Route template (`GET /api/manuals/:id`) or job kind (`job:ingest`)' }),
    severity: SeverityEnum,
    count: z.number().int(),
    first_seen: z.string(),
    last_seen: z.string(),
    sample_request_id: z.string().nullable().openapi({ description: 'The newest occurrence: its request id (a job id for jobs), to find its log lines' }),
  })
  .openapi('ErrorRecord');

export const ErrorListSchema = z.object({ errors: z.array(ErrorRecordSchema), count: z.number().int() }).openapi('ErrorList');
