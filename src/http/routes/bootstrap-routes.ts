import { SHARED_OWNER } from '../../core/model/types.js';
import { removePageCache } from './page-images.js';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { bootstrapLibrary } from '../../core/library/bootstrap.js';
import type { AppEnv } from '../app-env.js';
import { requireAdmin } from '../middleware/auth.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';

const BootstrapBody = z.object({ action: z.enum(['populate', 'clear', 'status']) }).openapi('BootstrapRequest');

const route = createRoute({
  method: 'post',
  path: '/bootstrap',
  tags: ['admin'],
  summary: 'Shared library (admin): load the PDFs of the library folder, clear it, or show its status',
  security: bearerSecurity,
  request: { body: { content: { 'application/json': { schema: BootstrapBody } }, required: true } },
  responses: {
    200: { description: 'Result of the action', content: { 'application/json': { schema: z.object({ action: z.string() }).catchall(z.unknown()) } } },
    ...errorResponses(400, 401, 403, 404),
  },
});

export function bootstrapRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    requireAdmin(c);
    const { action } = c.req.valid('json');
    const cleared = action === 'clear' ? await services.manuals.list([SHARED_OWNER]) : [];
    const result = await bootstrapLibrary(services, { action, dir: services.bootstrapDir });
    for (const m of cleared) await removePageCache(services.dataDir, m.id);
    return c.json(result, 200);
  });
}
