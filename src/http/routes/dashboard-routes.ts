import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { errors } from '../../core/errors.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { DashboardQuery, DashboardSchema } from '../schemas/dashboard-schemas.js';
import type { AppServices } from '../services.js';

const route = createRoute({
  method: 'get',
  path: '/admin/dashboard',
  tags: ['admin'],
  summary: 'Monitoring figures per minute, cost per day, top errors and alarms (admin)',
  description:
    'Kept when EnableAdvancedErrorHandling or EnableXRayTracing is on (503 `unavailable` otherwise). Every process on the data dir adds its own per-minute rows; this merges them.',
  security: bearerSecurity,
  request: { query: DashboardQuery },
  responses: {
    200: { description: 'The dashboard data', content: { 'application/json': { schema: DashboardSchema } } },
    ...errorResponses(400, 401, 403, 503),
  },
});

export function dashboardRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    if (!currentUser(c).isAdmin) throw errors.forbidden('Only an admin can read the dashboard');
    const monitor = services.ops.monitor;
    if (!monitor) throw errors.unavailable('Monitoring is off: turn on EnableAdvancedErrorHandling or EnableXRayTracing to keep per-minute figures');
    return c.json(await monitor.dashboard(c.req.valid('query').minutes), 200);
  });
}
