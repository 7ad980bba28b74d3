import type { Context, MiddlewareHandler } from 'hono';
import { errors } from '../../core/errors.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { RateCounter, RateLimitState } from '../../core/ports/rate-limit-store.js';
import type { AppEnv } from '../app-env.js';
import { isHealthProbe } from './ip-allowlist.js';

export interface RateLimitOptions {
  /** null: the middleware is a no-op (EnableAdvancedSecurity off). */
  counter: RateCounter | null;
  /** Names the policy in the headers and the rejection metric: "ip" or "user". */
  scope: string;
  /** The key to count under; undefined: this request is not counted by this limiter. */
  key: (c: Context<AppEnv>) => string | undefined;
  metrics: Metrics;
}

function appendHeaders(headers: Headers, policy: string, state: string): boolean {
  try {
    headers.append('RateLimit-Policy', policy);
    headers.append('RateLimit', state);
    return true;
  } catch {
    return false;
  }
}

/**
 * draft-ietf-httpapi-ratelimit-headers (structured fields): the policy, and what is left of it.
 * Several limiters on one request each add their own list item.
 */
function addHeaders(c: Context<AppEnv>, scope: string, counter: RateCounter, s: RateLimitState, after: boolean): void {
  if (!s.counted) return; // store down and failing open: nothing to report
  const w = Math.max(1, Math.round(counter.policy.windowSeconds));
  const policy = `"${scope}";q=${counter.policy.points};w=${w}`;
  const state = `"${scope}";r=${s.remaining};t=${Math.ceil(s.resetMs / 1000)}`;
  // After the route, onto the response it made: c.header() on a finished response would rebuild it
  // as a full Fetch Response (twice) on every request. Immutable headers: rebuilt after all.
  if (after && appendHeaders(c.res.headers, policy, state)) return;
  c.header('RateLimit-Policy', policy, { append: true });
  c.header('RateLimit', state, { append: true });
}

/**
 * RateLimitRequests per RateLimitWindowMinutes under one key: the client address before
 * authentication (position 5), the user after it. Over the limit: 429 `rate_limited` with
 * Retry-After; allowed responses carry the headers too. /health is never counted.
 */
export function rateLimit(opts: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { counter, scope, metrics } = opts;
  if (!counter) return (_c, next) => next();
  return async (c, next) => {
    if (isHealthProbe(c.req.path)) return next();
    const key = opts.key(c);
    if (key === undefined) return next();
    const state = await counter.consume(key);
    if (!state.allowed) {
      addHeaders(c, scope, counter, state, false);
      metrics.count('rate_limit_rejections_total', { scope });
      throw errors.rateLimited(`Too many requests: at most ${counter.policy.points} per ${Math.round(counter.policy.windowSeconds)} s`, Math.max(1, Math.ceil(state.resetMs / 1000)), { scope });
    }
    await next();
    // After the route: whatever response it made (JSON, a file, an error) gets the headers.
    addHeaders(c, scope, counter, state, true);
  };
}
