import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { errors } from '../../core/errors.js';
import { toManualDto } from '../../core/manuals/manage-manuals.js';
import type { Job } from '../../core/model/types.js';
import type { AppEnv } from '../app-env.js';
import { callerOwners } from '../middleware/auth.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { JobQuery, JobStatusSchema } from '../schemas/manual-schemas.js';
import type { AppServices } from '../services.js';

const route = createRoute({
  method: 'get',
  path: '/ingestion/status',
  tags: ['manuals'],
  summary: 'Progress of an ingestion job, until completed or failed (with reasons)',
  security: bearerSecurity,
  request: { query: JobQuery },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: JobStatusSchema } } },
    ...errorResponses(400, 401, 404),
  },
});

/** A rough percentage for progress bars: extraction and indexing are quick, embedding is the long tail. */
export function jobProgress(job: Job): number {
  if (job.status === 'completed') return 100;
  const s = job.statistics;
  switch (job.stage) {
    case 'extracting':
      return 10;
    case 'indexing':
      return 30;
    case 'embedding':
      return s.chunks ? Math.min(99, 40 + Math.round((59 * (s.embedded_chunks ?? 0)) / s.chunks)) : 40;
    default:
      return 0;
  }
}

export function ingestionRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const owners = callerOwners(c);
    const job = await services.jobs.get(c.req.valid('query').job_id, owners);
    if (!job) throw errors.notFound('Job');
    const manual = await services.manuals.get(job.manualId, owners);
    return c.json(
      {
        job_id: job.id,
        manual_id: job.manualId,
        status: job.status,
        stage: job.stage,
        progress: jobProgress(job),
        statistics: job.statistics,
        failure_reasons: job.failureReasons,
        attempts: job.attempts,
        created_at: job.createdAt,
        updated_at: job.updatedAt,
        started_at: job.startedAt,
        finished_at: job.finishedAt,
        manual: manual ? toManualDto(manual) : null,
      },
      200,
    );
  });
}
