import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../../core/ports/logger.js';
import type { AppEnv } from '../app-env.js';

/** X-Request-Id (kept from the client when well-formed, else generated) on the response and every log line. */
export const requestIdMiddleware = (): MiddlewareHandler<AppEnv> => requestId();

/**
 * A child logger made on first use: most requests log nothing but their one request line, and making
 * a pino child for each of thousands of requests a second is not free.
 */
function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let log: Logger | null = null;
  const get = () => (log ??= parent.child(bindings));
  return {
    info: (o, m) => get().info(o, m),
    warn: (o, m) => get().warn(o, m),
    error: (o, m) => get().error(o, m),
    debug: (o, m) => get().debug(o, m),
    child: (b) => get().child(b),
  };
}

/** One JSON log line per request, with the request id (c.var.log carries it on every other line). */
export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const reqId = c.get('requestId');
    const log = lazyChild(logger, { req_id: reqId });
    c.set('log', log);
    await next();
    const user = c.get('user');
    // The request line goes through the parent with req_id in it: the same line, without a child.
    const line = {
      req_id: reqId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...(user ? { user_id: user.id } : {}),
    };
    if (c.res.status >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  };
}
