import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from '../../core/errors.js';
import type { AppEnv } from '../app-env.js';
import { errorResponses } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';

const route = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['health'],
  summary: 'Prometheus metrics (text exposition format)',
  description:
    'HTTP requests and latency by route template, answers by cache status, quota and rate-limit rejections, ingestion, DLQ, breakers, cost in EUR by operation. When MetricsToken is set, send `Authorization: Bearer <MetricsToken>`.',
  security: [{ metricsToken: [] }],
  responses: {
    200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
    ...errorResponses(401, 503),
  },
});

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares digests (fixed length) in constant time: neither the token nor its length leaks by timing. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  const same = timingSafeEqual(digest(given ?? ''), digest(token));
  return same && given !== undefined;
}

export function metricsRoutes(services: AppServices) {
  const token = services.parameters.MetricsToken;
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    if (token && !tokenMatches(c.req.header('authorization'), token)) {
      c.header('WWW-Authenticate', 'Bearer realm="metrics"');
      throw errors.unauthorized('GET /metrics needs Authorization: Bearer <MetricsToken>');
    }
    const scrape = services.metrics.scrape;
    if (!scrape) throw errors.unavailable('This metrics backend is not scraped');
    const { contentType, body } = await scrape.call(services.metrics);
    return c.text(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  });
}
