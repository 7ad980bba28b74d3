import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { ManuelError } from '../../core/errors.js';
import type { AppEnv } from '../app-env.js';
import { requireAdmin } from '../middleware/auth.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { ErrorListQuery, ErrorListSchema } from '../schemas/error-schemas.js';
import type { AppServices } from '../services.js';

const listRoute = createRoute({
  method: 'get',
  path: '/admin/errors',
  tags: ['admin'],
  summary: 'Tracked errors (admin): every 5xx and failed job, grouped by fingerprint, newest first (EnableAdvancedErrorHandling)',
  security: bearerSecurity,
  request: { query: ErrorListQuery },
  responses: {
    200: { description: 'Newest (last seen) first', content: { 'application/json': { schema: ErrorListSchema } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function adminErrorRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>().openapi(listRoute, async (c) => {
    requireAdmin(c);
    const tracker = services.ops.errors;
    if (!tracker) throw new ManuelError('not_found', 'Error tracking is off (EnableAdvancedErrorHandling)');
    const { severity, limit, since } = c.req.valid('query');
    const records = await tracker.list({ severity, limit, since: since ? new Date(since) : undefined });
    return c.json({ errors: records, count: records.length }, 200);
  });
}
