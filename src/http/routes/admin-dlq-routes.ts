import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { dropDeadLetter, listDeadLetters, retryDeadLetter } from '../../core/ingest/dead-letters.js';
import type { AppEnv } from '../app-env.js';
import { requireAdmin } from '../middleware/auth.js';
import { bearerSecurity, errorResponses, IdParam } from '../schemas/common-schemas.js';
import { DeadLetterListQuery, DeadLetterListSchema, DeadLetterSchema, toDeadLetterDto } from '../schemas/dlq-schemas.js';
import type { AppServices } from '../services.js';

/** Said once in each route's description; the routes answer 503 `unavailable` when the flag is off. */
const OFF = ' 503 when EnableAdvancedErrorHandling is off (there is no DLQ then).';

const listRoute = createRoute({
  method: 'get',
  path: '/admin/dlq',
  tags: ['admin'],
  summary: 'Dead-letter queue (admin): ingestion jobs that failed MaxRetryAttempts times or with a permanent error',
  description: 'Newest first, with the error, attempts, timestamps and the manual. `size` counts every letter.' + OFF,
  security: bearerSecurity,
  request: { query: DeadLetterListQuery },
  responses: { 200: { description: 'Dead letters', content: { 'application/json': { schema: DeadLetterListSchema } } }, ...errorResponses(400, 401, 403, 503) },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/admin/dlq/{id}/retry',
  tags: ['admin'],
  summary: 'Retry a dead letter (admin): its job runs again from its first attempt, its manual is queued',
  description:
    'The letter stays, its `retries` counted, until the job succeeds: then it leaves the DLQ and the manual is searchable. If the job fails for good again, the same letter is updated (never a second one). 409 when the job is already running again or its manual was deleted.' + OFF,
  security: bearerSecurity,
  request: { params: IdParam },
  responses: {
    202: { description: 'The job is queued again', content: { 'application/json': { schema: DeadLetterSchema } } },
    ...errorResponses(401, 403, 404, 409, 503),
  },
});

const dropRoute = createRoute({
  method: 'delete',
  path: '/admin/dlq/{id}',
  tags: ['admin'],
  summary: 'Drop a dead letter (admin): the job is given up',
  description: 'The letter goes; the manual stays `failed` with its reason, for its owner to delete or upload again (nothing of the user is deleted).' + OFF,
  security: bearerSecurity,
  request: { params: IdParam },
  responses: {
    200: {
      description: 'Dropped',
      content: { 'application/json': { schema: z.object({ success: z.literal(true), dead_letter: DeadLetterSchema }).openapi('DroppedDeadLetter') } },
    },
    ...errorResponses(401, 403, 404, 503),
  },
});

export function adminDlqRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      requireAdmin(c);
      const { letters, size } = await listDeadLetters(services, { limit: c.req.valid('query').limit });
      return c.json({ dead_letters: letters.map(toDeadLetterDto), count: letters.length, size }, 200);
    })
    .openapi(retryRoute, async (c) => {
      const admin = requireAdmin(c);
      const letter = await retryDeadLetter(services, c.req.valid('param').id);
      services.logger.warn({ dead_letter_id: letter.id, job_id: letter.jobId, manual_id: letter.manualId, admin_id: admin.id, retries: letter.retries }, 'dead letter retried');
      return c.json(toDeadLetterDto(letter), 202);
    })
    .openapi(dropRoute, async (c) => {
      const admin = requireAdmin(c);
      const letter = await dropDeadLetter(services, c.req.valid('param').id);
      services.logger.warn({ dead_letter_id: letter.id, job_id: letter.jobId, manual_id: letter.manualId, admin_id: admin.id }, 'dead letter dropped');
      return c.json({ success: true as const, dead_letter: toDeadLetterDto(letter) }, 200);
    });
}
