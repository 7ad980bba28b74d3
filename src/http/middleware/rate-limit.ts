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

function refuse(c: Context<AppEnv>, limiter: RateLimitOptions, state: RateLimitState): never {
  const counter = limiter.counter!;
  addHeaders(c, limiter.scope, counter, state, false);
  limiter.metrics.count('rate_limit_rejections_total', { scope: limiter.scope });
  throw errors.rateLimited(`Too many requests: at most ${counter.policy.points} per ${Math.round(counter.policy.windowSeconds)} s`, Math.max(1, Math.ceil(state.resetMs / 1000)), {
    scope: limiter.scope,
  });
}

/** A client address's count, sent before authentication and judged by the per-user limiter (see rateLimits). */
interface PendingVerdict {
  state: Promise<RateLimitState>;
  judged: boolean;
  /** perUser refused the request for the address (its 429 already carries the address's headers). */
  refused: boolean;
}
const PENDING = new WeakMap<Context<AppEnv>, PendingVerdict>();

/**
 * RateLimitRequests per RateLimitWindowMinutes under two keys: the client address before
 * authentication (position 5), the user after it (6b). Over either limit: 429 `rate_limited` with
 * Retry-After and the scope that refused; allowed responses carry both policies' headers. /health is
 * never counted.
 *
 * On a request that `joins` (a bearer token on a route under the per-user limiter), the address's
 * count is sent at once but judged only when the user's is sent, so both travel to a shared store
 * (Redis) in one round trip instead of two one after the other (ADR 0036). Nothing runs in between
 * but the bearer token's check, which changes nothing; the address is judged first, exactly as
 * before: over the address limit answers 429 "ip" before any route runs, whatever the token, and the
 * user's point is given back. Signed requests (a nonce is spent when the signature is checked) and
 * anything else are judged at the address, before going further.
 */
export function rateLimits(opts: {
  ip: Omit<RateLimitOptions, 'metrics'>;
  user: Omit<RateLimitOptions, 'metrics'>;
  metrics: Metrics;
  joins: (c: Context<AppEnv>) => boolean;
}): { perIp: MiddlewareHandler<AppEnv>; perUser: MiddlewareHandler<AppEnv> } {
  const ip = { ...opts.ip, metrics: opts.metrics };
  const user = { ...opts.user, metrics: opts.metrics };
  const ipCounter = ip.counter;
  const userCounter = user.counter;
  const perIp: MiddlewareHandler<AppEnv> = !ipCounter
    ? (_c, next) => next()
    : async (c, next) => {
        if (isHealthProbe(c.req.path)) return next();
        const key = ip.key(c);
        if (key === undefined) return next();
        const counted = ipCounter.consume(key);
        let state: RateLimitState;
        if (userCounter && opts.joins(c)) {
          counted.catch(() => undefined); // judged (and its failure thrown) later, by perUser or below
          const verdict: PendingVerdict = { state: counted, judged: false, refused: false };
          PENDING.set(c, verdict);
          // An error further in comes back here as its response (the app's onError), like any other.
          await next();
          if (verdict.refused) return;
          if (verdict.judged) {
            // perUser judged it; a store failure there has already been answered for.
            const judged = await counted.then((s) => s, () => null);
            if (!judged) return;
            state = judged;
          } else {
            // Answered before the per-user limiter (a refused token): the address still answers first.
            state = await counted;
            if (!state.allowed) refuse(c, ip, state);
          }
        } else {
          state = await counted;
          if (!state.allowed) refuse(c, ip, state);
          await next();
        }
        // After the route: whatever response it made (JSON, a file, an error) gets the headers.
        addHeaders(c, ip.scope, ipCounter, state, true);
      };
  const perUser: MiddlewareHandler<AppEnv> = async (c, next) => {
    const verdict = PENDING.get(c);
    const key = userCounter && !isHealthProbe(c.req.path) ? user.key(c) : undefined;
    // Sent before the address's verdict is awaited: the two commands leave together.
    const counted = key !== undefined ? userCounter!.consume(key) : null;
    if (verdict) {
      verdict.judged = true;
      counted?.catch(() => undefined);
      const ipState = await verdict.state;
      if (!ipState.allowed) {
        if (counted && key !== undefined) void counted.then((s) => (s.counted ? userCounter!.reward(key) : undefined)).catch(() => undefined);
        verdict.refused = true;
        refuse(c, ip, ipState);
      }
    }
    if (!counted) return next();
    const state = await counted;
    if (!state.allowed) refuse(c, user, state);
    await next();
    addHeaders(c, user.scope, userCounter!, state, true);
  };
  return { perIp, perUser };
}
