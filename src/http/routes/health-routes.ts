import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.js';
import type { AppServices } from '../services.js';

const HealthSchema = z
  .object({
    status: z.enum(['healthy', 'degraded']),
    service: z.string(),
    version: z.string(),
    timestamp: z.string(),
    checks: z.object({
      database: z.enum(['ok', 'error']),
      worker: z.enum(['running', 'stopped']),
      embedder: z.enum(['ready', 'disabled']),
      transcriber: z.enum(['ready', 'disabled']),
    }),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['health'],
  summary: 'Liveness and readiness (no token needed)',
  responses: {
    200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
    503: { description: 'Degraded', content: { 'application/json': { schema: HealthSchema } } },
  },
});

async function databaseOk(services: AppServices): Promise<boolean> {
  try {
    if (services.pingDb) return await services.pingDb();
    await services.users.count();
    return true;
  } catch {
    return false;
  }
}

export function healthRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const db = await databaseOk(services);
    const worker = services.worker.isRunning();
    const body = {
      status: db && worker ? ('healthy' as const) : ('degraded' as const),
      service: 'manuel',
      version: services.version ?? '0.0.0',
      timestamp: new Date().toISOString(),
      checks: {
        database: db ? ('ok' as const) : ('error' as const),
        worker: worker ? ('running' as const) : ('stopped' as const),
        embedder: services.embedder ? ('ready' as const) : ('disabled' as const),
        transcriber: services.transcribeAudio ? ('ready' as const) : ('disabled' as const),
      },
    };
    return body.status === 'healthy' ? c.json(body, 200) : c.json(body, 503);
  });
}
