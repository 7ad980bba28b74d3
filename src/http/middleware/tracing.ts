import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { RequestTracer } from '../../core/ports/tracer.js';
import type { AppEnv } from '../app-env.js';

/**
 * The root span of every request (EnableXRayTracing; not registered at all when off). An incoming W3C
 * `traceparent` is the parent; the response's `traceparent` names this span, so a caller can find
 * the trace. Registered right after the request id and before the request log line, so that line,
 * and every span and log line of the handlers, sit inside it.
 */
export function tracingMiddleware(tracer: RequestTracer): MiddlewareHandler<AppEnv> {
  return (c, next) =>
    tracer.request(
      {
        method: c.req.method,
        path: c.req.path,
        requestId: c.get('requestId'),
        traceparent: c.req.header('traceparent'),
        tracestate: c.req.header('tracestate'),
      },
      async (span) => {
        c.header('traceparent', span.traceparent);
        await next();
        // A handler that returns a Response of its own (a 304) drops the headers prepared above.
        if (!c.res.headers.has('traceparent')) c.header('traceparent', span.traceparent);
        // After next(), the route index is the handler (or middleware) that answered: its template, never the raw path.
        span.finish(routePath(c) || c.req.path, c.res.status, c.error);
      },
    );
}
