import { z } from '@hono/zod-openapi';
import type { DeadLetterView } from '../../core/ingest/dead-letters.js';

export const DeadLetterSchema = z
  .object({
    id: z.string(),
    job_id: z.string().openapi({ description: 'The failed job (GET /api/ingestion/status?job_id= as its owner)' }),
    kind: z.string().openapi({ example: 'ingest' }),
    manual_id: z.string().nullable(),
    manual_name: z.string().nullable().openapi({ description: 'null: the manual was deleted' }),
    manual_status: z.enum(['queued', 'processing', 'completed', 'failed']).nullable().openapi({ description: 'queued or processing while a retry runs' }),
    owner_id: z.string().nullable(),
    error_type: z.string().openapi({ example: 'pdf_timeout' }),
    error: z.string(),
    attempts: z.number().int().openapi({ description: "Attempts of the job's last run (MaxRetryAttempts, or 1 for a permanent error)" }),
    retries: z.number().int().openapi({ description: 'Times an admin retried it from the DLQ' }),
    created_at: z.string().openapi({ description: 'When the job was created' }),
    first_failed_at: z.string(),
    dead_at: z.string().openapi({ description: 'When it was (last) dead-lettered' }),
  })
  .openapi('DeadLetter');

export const DeadLetterListSchema = z
  .object({
    dead_letters: z.array(DeadLetterSchema),
    count: z.number().int().openapi({ description: 'Letters in this answer' }),
    size: z.number().int().openapi({ description: 'Letters in the queue' }),
  })
  .openapi('DeadLetterList');

export const DeadLetterListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ param: { name: 'limit', in: 'query' }, example: 100 }),
});

export const toDeadLetterDto = (l: DeadLetterView): z.infer<typeof DeadLetterSchema> => ({
  id: l.id,
  job_id: l.jobId,
  kind: l.kind,
  manual_id: l.manualId,
  manual_name: l.manualName,
  manual_status: l.manualStatus,
  owner_id: l.ownerId,
  error_type: l.errorType,
  error: l.error,
  attempts: l.attempts,
  retries: l.retries,
  created_at: l.createdAt,
  first_failed_at: l.firstFailedAt,
  dead_at: l.deadAt,
});
