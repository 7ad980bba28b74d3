import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { listQuarantinedManuals, releaseManual, toManualDto } from '../../core/manuals/manage-manuals.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { bearerSecurity, errorResponses, IdParam } from '../schemas/common-schemas.js';
import { ManualSchema, QuarantinedListSchema } from '../schemas/manual-schemas.js';
import type { AppServices } from '../services.js';

const listRoute = createRoute({
  method: 'get',
  path: '/admin/manuals/quarantined',
  tags: ['admin'],
  summary: "Quarantined manuals of every user (admin), with their owner and reason",
  security: bearerSecurity,
  responses: { 200: { description: 'Newest first', content: { 'application/json': { schema: QuarantinedListSchema } } }, ...errorResponses(401, 403) },
});

const releaseRoute = createRoute({
  method: 'post',
  path: '/admin/manuals/{id}/release',
  tags: ['admin'],
  summary: "Release a quarantined manual (admin): its original file is served again",
  security: bearerSecurity,
  request: { params: IdParam },
  responses: { 200: { description: 'The released manual', content: { 'application/json': { schema: ManualSchema } } }, ...errorResponses(401, 403, 404) },
});

export function adminManualRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const user = currentUser(c);
      const manuals = await listQuarantinedManuals(services, { userId: user.id, isAdmin: user.isAdmin });
      return c.json({ manuals: manuals.map((m) => ({ ...toManualDto(m), owner_id: m.ownerId })), count: manuals.length }, 200);
    })
    .openapi(releaseRoute, async (c) => {
      const user = currentUser(c);
      const manual = await releaseManual(services, { userId: user.id, isAdmin: user.isAdmin, manualId: c.req.valid('param').id });
      services.logger.warn({ manual_id: manual.id, owner_id: manual.ownerId, admin_id: user.id, reason: manual.quarantineReason }, 'quarantined manual released');
      return c.json(toManualDto(manual), 200);
    });
}
