import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.js';
import { errorHandler } from './error-handler.js';
import { requestIdMiddleware } from './request-context.js';
import { responseValidation } from './response-validation.js';

const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } };

it('turns a response that breaks its documented schema into a 500 naming the field', async () => {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestIdMiddleware());
  app.use('*', responseValidation(() => app.openAPIRegistry));
  app.onError(errorHandler(silent));
  const Thing = z.object({ id: z.string(), count: z.number().int() });
  const route = (path: string) =>
    createRoute({ method: 'get', path, request: { params: z.object({ id: z.string() }) }, responses: { 200: { description: 'ok', content: { 'application/json': { schema: Thing } } } } });
  app.openapi(route('/things/{id}'), (c) => c.json({ id: c.req.valid('param').id, count: 3 }, 200));
  app.openapi(route('/broken/{id}'), (c) => c.json({ id: c.req.valid('param').id, count: 'three' } as never, 200));

  const ok = await app.request('/things/a');
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { id: 'a', count: 3 });

  const bad = await app.request('/broken/a');
  assert.equal(bad.status, 500);
  const body = await bad.json();
  assert.equal(body.error_type, 'internal_error');
  assert.match(body.error, /at count/);
  assert.ok(body.request_id);
});
