import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ManuelError } from '../../core/errors.js';
import type { BreakerStatus } from '../../core/ports/breakers.js';
import type { DependencyStatus, HealthProbe, ProbeResult } from '../../core/ports/health-probe.js';
import type { AppEnv } from '../app-env.js';
import { requireAdmin } from '../middleware/auth.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';

/** Probe results are reused this long: /health/deep cannot be used to hammer the dependencies. */
export const PROBE_CACHE_MS = 2000;
/** A probe that has not answered by then counts as down. */
export const PROBE_TIMEOUT_MS = 2000;

const status = z.enum(['ok', 'degraded', 'down']);

const BreakerSchema = z
  .object({
    service: z.string(),
    state: z.enum(['closed', 'open', 'half_open', 'isolated']).openapi({ description: 'half_open: the pause is over, the next call is the trial' }),
    failures: z.number().int().openapi({ description: 'Consecutive failures counted now' }),
    opened_at: z.string().nullable(),
  })
  .openapi('CircuitBreaker');

const DependencySchema = z
  .object({
    name: z.string().openapi({ example: 'answer-endpoint' }),
    status,
    latency_ms: z.number().openapi({ description: 'Of the probe (a PING, SELECT 1, GET /v1/models, one embedding)' }),
    breaker: BreakerSchema.nullable(),
    detail: z.string().optional(),
    queue_depth: z.number().int().optional().openapi({ description: 'ingest: jobs waiting for the worker' }),
  })
  .openapi('DependencyHealth');

const DeepHealthSchema = z
  .object({
    status: status.openapi({ description: 'down when the database is; degraded when any other dependency is not ok or a breaker is not closed' }),
    checked_at: z.string().openapi({ description: `When the probes ran (results are reused for ${PROBE_CACHE_MS} ms)` }),
    dependencies: z.array(DependencySchema),
  })
  .openapi('DeepHealth');

const deepRoute = createRoute({
  method: 'get',
  path: '/health/deep',
  tags: ['health'],
  summary: 'Every dependency with its status, probe latency and circuit breaker (admin)',
  security: bearerSecurity,
  responses: {
    200: { description: 'ok or degraded', content: { 'application/json': { schema: DeepHealthSchema } } },
    503: { description: 'down (the database)', content: { 'application/json': { schema: DeepHealthSchema } } },
    ...errorResponses(401, 403),
  },
});

const resetRoute = createRoute({
  method: 'post',
  path: '/health/circuit-breakers/{service}/reset',
  tags: ['health'],
  summary: 'Close a circuit breaker (admin): calls go through again at once',
  security: bearerSecurity,
  request: { params: z.object({ service: z.string().min(1).max(100).openapi({ param: { name: 'service', in: 'path' }, example: 'answer-endpoint' }) }) },
  responses: {
    200: { description: 'The breaker, closed', content: { 'application/json': { schema: BreakerSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

interface Snapshot {
  at: number;
  checkedAt: string;
  results: Probed[];
}

interface Probed {
  name: string;
  breaker?: string;
  result: ProbeResult;
  latencyMs: number;
}

const breakerDto = (b: BreakerStatus) => ({ service: b.service, state: b.state, failures: b.failures, opened_at: b.openedAt });

/** Without the wiring's probes: what every AppServices has. */
const basicProbes = (services: AppServices): HealthProbe[] => [
  { name: 'database', check: async () => ((await services.pingDb?.()) ?? true ? { status: 'ok' } : { status: 'down', detail: 'SELECT 1 failed' }) },
  { name: 'ingest', check: async () => (services.worker.isRunning() ? { status: 'ok' } : { status: 'down', detail: 'the ingestion worker is stopped' }) },
];

async function runProbe(probe: HealthProbe): Promise<Probed> {
  const signal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const started = performance.now();
  let result: ProbeResult;
  try {
    result = await Promise.race([
      probe.check(signal),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), { once: true })),
    ]);
  } catch (e) {
    result = { status: 'down', detail: (e as Error).message };
  }
  return { name: probe.name, breaker: probe.breaker, result, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
}

/**
 * GET /health/deep and POST /health/circuit-breakers/{service}/reset, both admin only (behind the auth
 * middleware, like /api/admin/*): probes cost something and reveal internals. The probes run in
 * parallel, at most once per PROBE_CACHE_MS whatever the number of callers; breaker states are read live.
 */
export function deepHealthRoutes(services: AppServices) {
  const probes = services.healthProbes ?? basicProbes(services);
  let last: Snapshot | null = null;
  let running: Promise<Snapshot> | null = null;

  const probeAll = async (): Promise<Snapshot> => {
    if (last && performance.now() - last.at < PROBE_CACHE_MS) return last;
    running ??= Promise.all(probes.map(runProbe))
      .then((results): Snapshot => (last = { at: performance.now(), checkedAt: new Date().toISOString(), results }))
      .finally(() => (running = null));
    return running;
  };

  return new OpenAPIHono<AppEnv>()
    .openapi(deepRoute, async (c) => {
      requireAdmin(c);
      // As they are when asked, not after the probes (a probe can take up to PROBE_TIMEOUT_MS).
      const breakers = services.ops.breakers?.list() ?? [];
      const { checkedAt, results } = await probeAll();
      const dependencies = results.map((p) => {
        const breaker = p.breaker ? (breakers.find((b) => b.service === p.breaker) ?? null) : null;
        // Up, but calls to it are being skipped (open) or on trial (half-open): degraded.
        const state: DependencyStatus = p.result.status === 'ok' && breaker && breaker.state !== 'closed' ? 'degraded' : p.result.status;
        return {
          name: p.name,
          status: state,
          latency_ms: p.latencyMs,
          breaker: breaker ? breakerDto(breaker) : null,
          ...(p.result.detail ? { detail: p.result.detail } : {}),
          ...(p.result.queueDepth !== undefined ? { queue_depth: p.result.queueDepth } : {}),
        };
      });
      const overall: DependencyStatus = dependencies.some((d) => d.name === 'database' && d.status === 'down')
        ? 'down'
        : dependencies.every((d) => d.status === 'ok')
          ? 'ok'
          : 'degraded';
      const body = { status: overall, checked_at: checkedAt, dependencies };
      return overall === 'down' ? c.json(body, 503) : c.json(body, 200);
    })
    .openapi(resetRoute, async (c) => {
      const admin = requireAdmin(c);
      const { service } = c.req.valid('param');
      const breakers = services.ops.breakers;
      if (!breakers?.reset(service)) {
        throw new ManuelError('not_found', `No circuit breaker named ${service}`, { service, known: breakers?.list().map((b) => b.service) ?? [] });
      }
      (c.get('log') ?? services.logger).warn({ dependency: service, admin_id: admin.id }, 'circuit breaker reset by an administrator');
      const now = breakers.list().find((b) => b.service === service)!;
      return c.json(breakerDto(now), 200);
    });
}
