import type { MiddlewareHandler } from 'hono';
import type { IpList } from '../../config/ip-list.js';
import { errors } from '../../core/errors.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { AppEnv } from '../app-env.js';

/** Load balancers poll it from their own addresses: never blocked, never limited. */
export const isHealthProbe = (path: string): boolean => path === '/health';

/**
 * IPAllowlist (position 3; with EnableAdvancedSecurity): any other client address gets 403
 * `ip_not_allowed` on every route but /health. A no-op when the list is empty or the flag is off.
 */
export function ipAllowlist(list: IpList | null, metrics: Metrics): MiddlewareHandler<AppEnv> {
  if (!list || list.entries.length === 0) return (_c, next) => next();
  return async (c, next) => {
    if (isHealthProbe(c.req.path) || list.contains(c.get('clientIp'))) return next();
    metrics.count('ip_allowlist_rejections_total');
    c.get('log')?.warn({ client_ip: c.get('clientIp'), path: c.req.path }, 'address not in IPAllowlist');
    throw errors.ipNotAllowed();
  };
}
