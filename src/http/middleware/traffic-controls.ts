import type { Context, MiddlewareHandler } from 'hono';
import { parseIpList } from '../../config/ip-list.js';
import type { RateLimitPolicy } from '../../core/ports/rate-limit-store.js';
import type { AppEnv } from '../app-env.js';
import type { AppServices } from '../services.js';
import { clientAddress } from './client-address.js';
import { ipAllowlist } from './ip-allowlist.js';
import { rateLimits } from './rate-limit.js';
import { corsFor, securityHeaders } from './security-headers.js';

const BEARER = /^Bearer\s+\S+$/i;

export interface TrafficControlOptions {
  /** The transport peer (default: the Node socket); the Lambda entry reads the event's source IP. */
  peerAddress?: (c: Context) => string | undefined;
}

export interface TrafficControls {
  headers: MiddlewareHandler<AppEnv>;
  cors: MiddlewareHandler<AppEnv>;
  clientAddress: MiddlewareHandler<AppEnv>;
  allowlist: MiddlewareHandler<AppEnv>;
  perIp: MiddlewareHandler<AppEnv>;
  perUser: MiddlewareHandler<AppEnv>;
}

/**
 * The middleware of docs/decisions/0007, built once from the parameters. Headers, CORS (when
 * CorsAllowedOrigins is set) and the client address are always on; the allowlist and the rate limits
 * only with EnableAdvancedSecurity, and are otherwise `next()` and nothing else.
 */
export function trafficControls(services: AppServices, opts: TrafficControlOptions = {}): TrafficControls {
  const p = services.parameters;
  const secure = p.EnableAdvancedSecurity;
  const store = secure ? services.rateLimitStore : undefined;
  const policy = (name: string): RateLimitPolicy => ({ name, points: p.RateLimitRequests, windowSeconds: Math.max(1, Math.round(p.RateLimitWindowMinutes * 60)) });
  return {
    headers: securityHeaders(),
    cors: corsFor(p.CorsAllowedOrigins),
    clientAddress: clientAddress({ trustedProxies: parseIpList(p.TrustedProxies), peerAddress: opts.peerAddress }),
    allowlist: ipAllowlist(secure ? parseIpList(p.IPAllowlist) : null, services.metrics),
    ...rateLimits({
      ip: { counter: store?.counter(policy('ip')) ?? null, scope: 'ip', key: (c) => c.get('clientIp') },
      user: { counter: store?.counter(policy('user')) ?? null, scope: 'user', key: (c) => c.get('user')?.id },
      metrics: services.metrics,
      // perUser is mounted on /api/* right after authMiddleware (app.ts): a bearer request there meets it.
      joins: (c) => c.req.path.startsWith('/api/') && BEARER.test(c.req.header('authorization') ?? ''),
    }),
  };
}
