import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createApiKey, listApiKeys, revokeApiKey } from '../../core/auth/api-keys.js';
import { errors } from '../../core/errors.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { errorResponses } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';

/** Bearer token, or an RFC 9421 signature made with an API key. */
const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { httpSignature: [] }];

const ApiKeySchema = z
  .object({
    key_id: z.string().openapi({ example: 'mk_5b0c1e9a7d3f2a4b6c8d0e1f', description: 'The `keyid` of signed requests' }),
    name: z.string(),
    created_at: z.string(),
  })
  .openapi('ApiKey');
const NewApiKeySchema = ApiKeySchema.extend({
  secret: z.string().openapi({ description: 'The HMAC key (its UTF-8 bytes). Shown only in this answer: store it now.' }),
}).openapi('NewApiKey');
const CreateBody = z.object({ name: z.string().trim().min(1).max(100).openapi({ example: 'build server' }) }).openapi('CreateApiKeyRequest');
const KeyIdParam = z.object({ key_id: z.string().min(1).max(100).openapi({ param: { name: 'key_id', in: 'path' } }) });

const createKeyRoute = createRoute({
  method: 'post',
  path: '/keys',
  tags: ['api keys'],
  summary: 'Create an API key for signed requests (RFC 9421, hmac-sha256); needs a signed-in session',
  description:
    'Sign `"@method" "@path" "@query"` (and `"content-digest"`, RFC 9530 sha-256, when there is a body) with parameters `created`, `nonce`, `keyid` (the key_id) and `alg="hmac-sha256"`, using the secret\'s UTF-8 bytes as the HMAC key; send no bearer token. `created` must be within 300 s of the server\'s clock and a nonce is accepted once.',
  security,
  request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: {
    201: { description: 'Created; the secret is never shown again', content: { 'application/json': { schema: NewApiKeySchema } } },
    ...errorResponses(400, 401, 403, 409),
  },
});

const listKeysRoute = createRoute({
  method: 'get',
  path: '/keys',
  tags: ['api keys'],
  summary: 'Your API keys (never their secrets)',
  security,
  responses: {
    200: { description: 'Keys', content: { 'application/json': { schema: z.object({ keys: z.array(ApiKeySchema), count: z.number().int() }).openapi('ApiKeyList') } } },
    ...errorResponses(401),
  },
});

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/keys/{key_id}',
  tags: ['api keys'],
  summary: 'Revoke one of your API keys: its signatures are refused from now on',
  security,
  request: { params: KeyIdParam },
  responses: {
    200: { description: 'Revoked', content: { 'application/json': { schema: z.object({ success: z.literal(true), key_id: z.string() }) } } },
    ...errorResponses(401, 404),
  },
});

export function apiKeyRoutes(services: AppServices) {
  const deps = { ...services.signing, clock: services.clock };
  return new OpenAPIHono<AppEnv>()
    .openapi(createKeyRoute, async (c) => {
      // A leaked key must not be able to mint its own successors: new keys come from a password session.
      if (c.get('authMethod') !== 'bearer') throw errors.forbidden('API keys are created from a signed-in session (bearer token), not with another API key');
      const created = await createApiKey(deps, { userId: currentUser(c).id, name: c.req.valid('json').name });
      return c.json(created, 201);
    })
    .openapi(listKeysRoute, async (c) => {
      const keys = await listApiKeys(deps, currentUser(c).id);
      return c.json({ keys, count: keys.length }, 200);
    })
    .openapi(revokeKeyRoute, async (c) => {
      const { key_id } = c.req.valid('param');
      await revokeApiKey(deps, { userId: currentUser(c).id, keyId: key_id });
      return c.json({ success: true as const, key_id }, 200);
    });
}
