import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { isManuelError } from '../../core/errors.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { AppEnv } from '../app-env.js';

/** Per-minute aggregates of requests (monitoring on); absent: only the Prometheus metrics. */
export interface RequestSink {
  request(status: number, ms: number, costEur?: number): void;
}

export interface HttpMetricsOptions {
  metrics: Metrics;
  sink?: RequestSink | null;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** No endpoint matched the path (404): one label for every unknown path, so scanners cannot add series. */
export const UNMATCHED = '(unmatched)';

/**
 * The route template of a request (`/api/manuals/:id`), never its raw path: the endpoint the router
 * matched for it, even when a middleware answered first (401, 403, 429). With no endpoint, the
 * handler that answered (`*`, `/api/*`), or UNMATCHED for a 404.
 */
export function routeTemplate(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== 'ALL' && r.path !== '*' && r.path !== '/*') return r.path;
  }
  if (c.res.status === 404 && !c.error) return UNMATCHED;
  return routes[c.req.routeIndex]?.path ?? UNMATCHED;
}

/**
 * `manuel_http_requests_total{route,method,status}`, `manuel_http_request_duration_seconds{route,method}`,
 * `manuel_quota_rejections_total{route,period}`; with a sink, the request's status, latency and cost
 * (`c.var.requestCostEur`, set by priced routes) reach the per-minute aggregates. First in the chain,
 * so what the security middleware refuses is counted too.
 */
export function httpMetrics(opts: HttpMetricsOptions): MiddlewareHandler<AppEnv> {
  const { metrics, sink } = opts;
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const route = routeTemplate(c);
    const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
    const status = c.res.status;
    metrics.count('http_requests_total', { route, method, status: String(status) });
    metrics.observe('http_request_duration_seconds', ms / 1000, { route, method });
    const err = c.error;
    if (isManuelError(err) && err.code === 'quota_exceeded') {
      metrics.count('quota_rejections_total', { route, period: String(err.details?.quota ?? 'daily') });
    }
    sink?.request(status, ms, c.get('requestCostEur'));
  };
}
