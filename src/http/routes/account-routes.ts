import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deleteAccount, type AccountDeletion } from '../../core/auth/delete-account.js';
import { login } from '../../core/auth/login.js';
import type { AppEnv } from '../app-env.js';
import { currentUser, requireAdmin } from '../middleware/auth.js';
import { bearerSecurity, errorResponses, IdParam } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';
import { authDeps } from './auth-routes.js';
import { removePageCache } from './page-images.js';

const AccountDeletionSchema = z
  .object({
    success: z.literal(true),
    user_id: z.string(),
    email: z.string(),
    manuals_deleted: z.number().int(),
    api_keys_deleted: z.number().int(),
  })
  .openapi('AccountDeletion');

const deleteOwnRoute = createRoute({
  method: 'delete',
  path: '/user/account',
  tags: ['user'],
  summary: 'Delete your own account, with your password again',
  description:
    'Ends every session, deletes your API keys and your manuals (files, index, jobs), then the account. Usage history stays as the deployment\'s record, under an id that no longer names anyone. The only administrator cannot delete itself (409).',
  security: bearerSecurity,
  request: { body: { content: { 'application/json': { schema: z.object({ password: z.string().min(1).max(1024) }).openapi('DeleteAccountRequest') } }, required: true } },
  responses: { 200: { description: 'Deleted', content: { 'application/json': { schema: AccountDeletionSchema } } }, ...errorResponses(400, 401, 409, 429) },
});

const deleteUserRoute = createRoute({
  method: 'delete',
  path: '/admin/users/{id}',
  tags: ['admin'],
  summary: "Delete a user and everything they own (admin; signed where admin routes need a signature)",
  description: 'As DELETE /api/user/account, for any user but the only administrator. Unknown id: 404.',
  security: bearerSecurity,
  request: { params: IdParam },
  responses: { 200: { description: 'Deleted', content: { 'application/json': { schema: AccountDeletionSchema } } }, ...errorResponses(401, 403, 404, 409) },
});

/** Self-deletion (password re-confirmed) and an administrator's deletion of any user: one use case. */
export function accountRoutes(services: AppServices) {
  const deps = { ...services, apiKeys: services.signing.apiKeys, identity: services.auth.identity };
  const run = async (userId: string) => {
    const done = await deleteAccount(deps, userId);
    for (const id of done.manual_ids) await removePageCache(services.dataDir, id);
    return toBody(done);
  };
  return new OpenAPIHono<AppEnv>()
    .openapi(deleteOwnRoute, async (c) => {
      const user = currentUser(c);
      // The password again, throttled like a sign-in: a stolen access token alone cannot delete the account.
      await login(authDeps(services), { email: user.email, password: c.req.valid('json').password, clientIp: c.get('clientIp') });
      const body = await run(user.id);
      services.logger.warn({ user_id: user.id, manuals: body.manuals_deleted }, 'account deleted by its owner');
      return c.json(body, 200);
    })
    .openapi(deleteUserRoute, async (c) => {
      const admin = requireAdmin(c);
      const body = await run(c.req.valid('param').id);
      services.logger.warn({ admin_id: admin.id, user_id: body.user_id, manuals: body.manuals_deleted }, 'account deleted by an administrator');
      return c.json(body, 200);
    });
}

const toBody = (d: AccountDeletion) => ({ success: true as const, user_id: d.user_id, email: d.email, manuals_deleted: d.manual_ids.length, api_keys_deleted: d.api_keys_deleted });
