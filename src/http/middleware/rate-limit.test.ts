import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { noMetrics } from '../../core/ports/metrics.js';
import type { RateCounter, RateLimitPolicy, RateLimitState } from '../../core/ports/rate-limit-store.js';
import type { AppEnv } from '../app-env.js';
import { errorHandler } from './error-handler.js';
import { rateLimits } from './rate-limit.js';
import { MemoryLogger } from '../../../test/helpers/fakes.js';

/** A counter whose answers wait until released: shows which counts were sent before any came back. */
class HeldCounter implements RateCounter {
  readonly sent: string[] = [];
  readonly rewarded: string[] = [];
  private readonly waiting: Array<() => void> = [];
  constructor(
    readonly policy: RateLimitPolicy,
    private readonly log: string[],
    private readonly allowed: boolean,
  ) {}
  consume(key: string): Promise<RateLimitState> {
    this.sent.push(key);
    this.log.push(`${this.policy.name}:${key}`);
    return new Promise((resolve) =>
      this.waiting.push(() => resolve({ allowed: this.allowed, consumed: 1, remaining: this.allowed ? 5 : 0, resetMs: 30_000, counted: true })),
    );
  }
  release(): void {
    for (const w of this.waiting.splice(0)) w();
  }
  async reward(key: string): Promise<void> {
    this.rewarded.push(key);
  }
  async delete(): Promise<void> {}
}

function appWith(ipAllowed: boolean, userAllowed = true) {
  const log: string[] = [];
  const ip = new HeldCounter({ name: 'ip', points: 6, windowSeconds: 60 }, log, ipAllowed);
  const user = new HeldCounter({ name: 'user', points: 6, windowSeconds: 60 }, log, userAllowed);
  const { perIp, perUser } = rateLimits({
    ip: { counter: ip, scope: 'ip', key: () => '203.0.113.9' },
    user: { counter: user, scope: 'user', key: (c) => c.get('user')?.id },
    metrics: noMetrics,
    joins: (c) => /^Bearer /.test(c.req.header('authorization') ?? ''),
  });
  const ran: string[] = [];
  /** The counts sent before the first answer came back. */
  const sentBeforeAnswers: string[] = [];
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(new MemoryLogger()));
  app.use('*', perIp);
  app.use('*', async (c, next) => {
    const auth = c.req.header('authorization');
    if (auth === 'Bearer bad') return c.json({ error_type: 'unauthorized' }, 401);
    if (auth === 'Bearer throws') throw new Error('token check failed');
    if (auth) c.set('user', { id: 'u1', email: 'u1@example.com', isAdmin: false });
    return next();
  });
  app.use('*', perUser);
  app.get('/api/x', (c) => (ran.push('route'), c.json({ ok: true })));
  const request = (headers: Record<string, string> = {}) => {
    const pending = Promise.resolve(app.request('/api/x', { headers }));
    // Let the middleware run up to its awaits, then answer every count sent so far.
    return new Promise<Response>((resolve, reject) =>
      setImmediate(() => {
        sentBeforeAnswers.push(...log);
        ip.release();
        user.release();
        setImmediate(() => (ip.release(), user.release()));
        pending.then(resolve, reject);
      }),
    );
  };
  return { ip, user, log, ran, request, sentBeforeAnswers };
}

describe('rateLimits: the address and the user counted in one round trip', () => {
  it('a bearer request sends both counts before either answers, then carries both headers', async () => {
    const t = appWith(true);
    const res = await t.request({ authorization: 'Bearer ok' });
    assert.equal(res.status, 200);
    assert.deepEqual(t.sentBeforeAnswers, ['ip:203.0.113.9', 'user:u1'], 'both sent before either answered');
    assert.equal(res.headers.get('ratelimit-policy'), '"user";q=6;w=60, "ip";q=6;w=60');
    assert.deepEqual(t.ran, ['route']);
  });

  it('over the address limit: 429 "ip" before the route, whatever the token, and the user gets the point back', async () => {
    const t = appWith(false);
    const res = await t.request({ authorization: 'Bearer ok' });
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as { details: { scope: string } }).details.scope, 'ip');
    assert.deepEqual(t.ran, [], 'the route never ran');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(t.user.rewarded, ['u1']);
    for (const authorization of ['Bearer bad', 'Bearer throws']) {
      const refused = await appWith(false).request({ authorization });
      assert.equal(refused.status, 429, `${authorization}: the address answers first, as when it was judged before the token`);
    }
  });

  it('a token refused at an address within its limit is still refused as before', async () => {
    assert.equal((await appWith(true).request({ authorization: 'Bearer bad' })).status, 401);
    assert.equal((await appWith(true).request({ authorization: 'Bearer throws' })).status, 500);
  });

  it('over the user limit: 429 "user"', async () => {
    const t = appWith(true, false);
    const res = await t.request({ authorization: 'Bearer ok' });
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as { details: { scope: string } }).details.scope, 'user');
    assert.deepEqual(t.ran, []);
  });

  it('a request that does not join (no bearer token) is judged at the address before going further', async () => {
    const t = appWith(false);
    const res = await t.request();
    assert.equal(res.status, 429);
    assert.deepEqual(t.log, ['ip:203.0.113.9'], 'no user count for a request refused at the address');
  });
});
