import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../../core/ports/logger.js';
import type { AppEnv } from '../app-env.js';

/** X-Request-Id (kept from the client when well-formed, else generated) on the response and every log line. */
export const requestIdMiddleware = (): MiddlewareHandler<AppEnv> => requestId();

/** One JSON log line per request, through a child logger that carries the request id. */
export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ req_id: c.get('requestId') });
    c.set('log', log);
    await next();
    const user = c.get('user');
    const line = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...(user ? { user_id: user.id } : {}),
    };
    if (c.res.status >= 500) log.error(line, 'request');
    else log.info(line, 'request');
  };
}
