import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OpenAPIHono } from '@hono/zod-openapi';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { PromMetrics } from '../../adapters/metrics/prom-metrics.js';
import { errors } from '../../core/errors.js';
import type { AppEnv } from '../app-env.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { httpMetrics, UNMATCHED } from './http-metrics.js';

function app() {
  const metrics = new PromMetrics();
  const seen: { status: number; ms: number; cost?: number }[] = [];
  const a = new OpenAPIHono<AppEnv>();
  a.use('*', httpMetrics({ metrics, sink: { request: (status, ms, cost) => seen.push({ status, ms, cost }) } }));
  a.use('/api/*', async (c, next) => {
    if (c.req.header('authorization') !== 'Bearer ok') throw errors.unauthorized();
    await next();
  });
  a.onError(errorHandler(new MemoryLogger()));
  a.notFound(notFoundHandler);
  const api = new OpenAPIHono<AppEnv>();
  api.get('/manuals/:id', (c) => c.json({ id: c.req.param('id') }));
  api.post('/query', (c) => {
    if (c.req.query('over')) throw errors.quotaExceeded({ quota: 'monthly' });
    c.set('requestCostEur', 0.25);
    return c.json({ answer: 'yes' });
  });
  api.get('/boom', () => {
    throw new Error('bug');
  });
  a.route('/api', api);
  return { a, metrics, seen };
}

const auth = { headers: { authorization: 'Bearer ok' } };

it('labels requests with the route template, never the raw path', async () => {
  const { a, metrics } = app();
  for (const id of ['a1', 'b2', 'c3']) assert.equal((await a.request(`/api/manuals/${id}`, auth)).status, 200);
  assert.equal(await metrics.value('http_requests_total', { route: '/api/manuals/:id', method: 'GET', status: '200' }), 3);
  const text = await metrics.text();
  assert.doesNotMatch(text, /a1|b2|c3/);
  assert.match(text, /manuel_http_request_duration_seconds_count\{route="\/api\/manuals\/:id",method="GET"\} 3/);
});

it('a request refused by a middleware counts under the endpoint it was for; an unknown path under one label', async () => {
  const { a, metrics } = app();
  assert.equal((await a.request('/api/manuals/x9')).status, 401);
  assert.equal(await metrics.value('http_requests_total', { route: '/api/manuals/:id', status: '401' }), 1);
  for (const p of ['/wp-admin/x.php', '/api/../../etc/passwd', '/api/nope/123']) await a.request(p, auth);
  assert.equal(await metrics.value('http_requests_total', { route: UNMATCHED, status: '404' }), 3);
  await a.request('/api/manuals/x', { method: 'PROPFIND', ...auth });
  assert.equal(await metrics.value('http_requests_total', { method: 'OTHER' }), 1, 'arbitrary methods cannot add series');
});

it('counts 5xx, quota rejections by period, and hands status, latency and cost to the per-minute sink', async () => {
  const { a, metrics, seen } = app();
  assert.equal((await a.request('/api/boom', auth)).status, 500);
  assert.equal((await a.request('/api/query?over=1', { method: 'POST', ...auth })).status, 429);
  assert.equal((await a.request('/api/query', { method: 'POST', ...auth })).status, 200);
  assert.equal(await metrics.value('http_requests_total', { route: '/api/boom', status: '500' }), 1);
  assert.equal(await metrics.value('quota_rejections_total', { route: '/api/query', period: 'monthly' }), 1);
  assert.deepEqual(seen.map((s) => [s.status, s.cost]), [[500, undefined], [429, undefined], [200, 0.25]]);
  assert.ok(seen.every((s) => s.ms >= 0 && s.ms < 5000));
});
