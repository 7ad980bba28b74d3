import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpFrom } from '../helpers/http-from.js';
import { startTestServer, TEST_PASSWORD, uniqueEmail, type TestServer } from '../helpers/server.js';

// Loopback is a /8 on Linux: binding the client socket to 127.0.0.x gives each "client" its own address.
const from = (s: TestServer, ip: string, path: string, opts?: Parameters<typeof httpFrom>[2]) => httpFrom(ip, s.url + path, opts);
const login = (s: TestServer, ip: string, email: string, password: string) => from(s, ip, '/api/auth/login', { json: { email, password } });

describe('IP allowlist (EnableAdvancedSecurity + IPAllowlist)', () => {
  let s: TestServer;
  before(async () => (s = await startTestServer({ parameters: { EnableAdvancedSecurity: true, IPAllowlist: '127.0.0.1, ::1' } })));
  after(() => s.close());

  it('lets a listed address in', async () => {
    assert.equal((await from(s, '127.0.0.1', '/api/openapi.json')).status, 200);
  });

  it('refuses another address with 403 ip_not_allowed, spoofed X-Forwarded-For or not', async () => {
    const spoofs: Record<string, string>[] = [{}, { 'x-forwarded-for': '127.0.0.1' }, { 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1' }];
    for (const headers of spoofs) {
      const res = await from(s, '127.0.0.2', '/api/openapi.json', { headers });
      assert.equal(res.status, 403);
      assert.equal(res.json().error_type, 'ip_not_allowed');
      assert.ok(res.json().request_id);
    }
    assert.equal((await from(s, '127.0.0.2', '/api/auth/login', { json: { email: 'a@b.c', password: 'x' } })).status, 403);
  });

  it('never blocks /health (load balancers)', async () => {
    assert.equal((await from(s, '127.0.0.2', '/health')).status, 200);
  });

  it('is off without EnableAdvancedSecurity', async () => {
    const off = await startTestServer({ parameters: { IPAllowlist: '127.0.0.1' } });
    try {
      assert.equal((await from(off, '127.0.0.2', '/api/openapi.json')).status, 200);
    } finally {
      await off.close();
    }
  });
});

describe('client address behind a trusted proxy (TrustedProxies)', () => {
  let s: TestServer;
  before(async () => (s = await startTestServer({ parameters: { EnableAdvancedSecurity: true, TrustedProxies: '127.0.0.2', IPAllowlist: '198.51.100.0/24' } })));
  after(() => s.close());
  const via = (ip: string, xff?: string) => from(s, ip, '/api/openapi.json', { headers: xff ? { 'x-forwarded-for': xff } : {} });

  it('believes the proxy: an allowed client behind it gets in', async () => {
    assert.equal((await via('127.0.0.2', '198.51.100.4')).status, 200);
    assert.equal((await via('127.0.0.2', '203.0.113.1, 198.51.100.4')).status, 200);
  });

  it('the right-most hop decides: a client cannot prepend an allowed address', async () => {
    assert.equal((await via('127.0.0.2', '198.51.100.4, 203.0.113.1')).status, 403);
    assert.equal((await via('127.0.0.2', '203.0.113.1')).status, 403);
    assert.equal((await via('127.0.0.2')).status, 403, 'the proxy itself is not on the list');
  });

  it('a peer that is not a trusted proxy cannot claim an address', async () => {
    assert.equal((await via('127.0.0.1', '198.51.100.4')).status, 403);
  });
});

describe('rate limits (EnableAdvancedSecurity, RateLimitRequests per RateLimitWindowMinutes)', () => {
  let s: TestServer;
  before(async () => (s = await startTestServer({ parameters: { EnableAdvancedSecurity: true, RateLimitRequests: 6, RateLimitWindowMinutes: 1 } })));
  after(() => s.close());

  it('per client address: headers on allowed answers, then 429 rate_limited with Retry-After and the headers', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await from(s, '127.0.0.2', '/api/openapi.json');
      assert.equal(res.status, 200);
      assert.equal(res.headers['ratelimit-policy'], '"ip";q=6;w=60');
      assert.match(String(res.headers['ratelimit']), new RegExp(`^"ip";r=${5 - i};t=\\d+$`));
    }
    const res = await from(s, '127.0.0.2', '/api/openapi.json');
    assert.equal(res.status, 429);
    assert.equal(res.json().error_type, 'rate_limited');
    const retry = Number(res.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(res.headers['ratelimit-policy'], '"ip";q=6;w=60');
    assert.match(String(res.headers['ratelimit']), /^"ip";r=0;t=\d+$/);
    assert.equal((await from(s, '127.0.0.3', '/api/openapi.json')).status, 200, 'another address is not affected');
  });

  it('never limits /health', async () => {
    for (let i = 0; i < 15; i++) {
      const res = await from(s, '127.0.0.2', '/health');
      assert.equal(res.status, 200);
      assert.equal(res.headers['ratelimit'], undefined);
    }
  });

  it('per user: one account spread over two addresses is limited, another user at the same address is not', async () => {
    const token = (await s.session(uniqueEmail('spread'))).access_token; // signed up from 127.0.0.1
    const other = (await s.session(uniqueEmail('other'))).access_token;
    const statuses: number[] = [];
    let last;
    // 2 requests above came from 127.0.0.1; 3 more from there and 3 from 127.0.0.4 keep each address within 6.
    for (const ip of ['127.0.0.1', '127.0.0.4', '127.0.0.1', '127.0.0.4', '127.0.0.1', '127.0.0.4']) {
      last = await from(s, ip, '/api/manuals', { token });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
    assert.match(String(last!.headers['ratelimit-policy']), /"user";q=6;w=60/);
    assert.match(String(last!.headers['ratelimit-policy']), /"ip";q=6;w=60/);
    const over = await from(s, '127.0.0.4', '/api/manuals', { token });
    assert.equal(over.status, 429);
    assert.equal(over.json().details.scope, 'user');
    assert.ok(Number(over.headers['retry-after']) >= 1);
    assert.equal((await from(s, '127.0.0.4', '/api/manuals', { token: other })).status, 200);
  });

  it('an address over its limit is refused before any route, with a good token or a bad one, and the user loses no point', async () => {
    const token = (await s.session(uniqueEmail('behind'))).access_token; // signed up from 127.0.0.1
    for (let i = 0; i < 6; i++) assert.equal((await from(s, '127.0.0.5', '/api/openapi.json')).status, 200);
    const refused = await from(s, '127.0.0.5', '/api/manuals', { token });
    assert.equal(refused.status, 429);
    assert.equal(refused.json().details.scope, 'ip');
    assert.match(String(refused.headers['ratelimit']), /^"ip";r=0;t=\d+$/);
    const forged = await from(s, '127.0.0.5', '/api/manuals', { token: 'not-a-token' });
    assert.equal(forged.status, 429, 'the address answers before the token is looked at');
    const elsewhere = await from(s, '127.0.0.6', '/api/manuals', { token });
    assert.equal(elsewhere.status, 200, 'the same user from another address');
    assert.match(String(elsewhere.headers['ratelimit']), /"user";r=5;/, 'the refused request cost the user nothing');
  });

  it('is off without the flag: no headers, no limit', async () => {
    const off = await startTestServer({ parameters: { RateLimitRequests: 1 } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await from(off, '127.0.0.2', '/api/openapi.json');
        assert.equal(res.status, 200);
        assert.equal(res.headers['ratelimit'], undefined);
      }
    } finally {
      await off.close();
    }
  });
});

describe('brute-force protection (always on)', () => {
  let s: TestServer;
  let owner: string;
  before(async () => {
    s = await startTestServer({ parameters: { LoginMaxConsecutiveFailures: 3, LoginLockoutMinutes: 15, LoginMaxFailuresPerIpPerDay: 8, SignupRequestsPerIpPerHour: 3 } });
    owner = uniqueEmail('owner');
    await s.session(owner);
  });
  after(() => s.close());

  it('locks an email out at the attacking address after LoginMaxConsecutiveFailures; the owner elsewhere still signs in', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login(s, '127.0.0.2', owner, `wrong-${i}`)).status, 401);
    const locked = await login(s, '127.0.0.2', owner, TEST_PASSWORD);
    assert.equal(locked.status, 429, 'even the right password is refused during the lockout');
    assert.equal(locked.json().error_type, 'rate_limited');
    const retry = Number(locked.headers['retry-after']);
    assert.ok(retry > 14 * 60 && retry <= 15 * 60, `Retry-After ${retry}`);
    assert.equal((await login(s, '127.0.0.1', owner, TEST_PASSWORD)).status, 200);
  });

  it('answers an unknown email exactly like a known one', async () => {
    const ghost = uniqueEmail('ghost');
    const known = uniqueEmail('known');
    await s.session(known);
    const a: unknown[] = [];
    const b: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const x = await login(s, '127.0.0.5', ghost, 'wrong-password');
      const y = await login(s, '127.0.0.6', known, 'wrong-password');
      a.push([x.status, x.json().error, x.headers['retry-after'] !== undefined]);
      b.push([y.status, y.json().error, y.headers['retry-after'] !== undefined]);
    }
    assert.deepEqual(a, b);
    assert.deepEqual(a.map((r) => (r as unknown[])[0]), [401, 401, 401, 429]);
  });

  it('a success resets the consecutive failures', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await login(s, '127.0.0.3', owner, 'wrong')).status, 401);
    assert.equal((await login(s, '127.0.0.3', owner, TEST_PASSWORD)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await login(s, '127.0.0.3', owner, 'wrong')).status, 401);
    assert.equal((await login(s, '127.0.0.3', owner, 'wrong')).status, 429);
  });

  it('caps failures per address per day across emails', async () => {
    for (let i = 0; i < 8; i++) assert.equal((await login(s, '127.0.0.7', uniqueEmail('spray'), 'wrong')).status, 401);
    const res = await login(s, '127.0.0.7', uniqueEmail('spray'), 'wrong');
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers['retry-after']) > 23 * 3600);
    assert.equal((await login(s, '127.0.0.8', owner, TEST_PASSWORD)).status, 200);
  });

  it('limits sign-ups per address (SignupRequestsPerIpPerHour)', async () => {
    const signup = (ip: string) => from(s, ip, '/api/auth/signup', { json: { email: uniqueEmail('new'), password: TEST_PASSWORD } });
    for (let i = 0; i < 3; i++) assert.equal((await signup('127.0.0.9')).status, 201);
    const res = await signup('127.0.0.9');
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal((await signup('127.0.0.10')).status, 201);
  });
});

describe('security headers and CORS', () => {
  let s: TestServer;
  before(async () => (s = await startTestServer({ parameters: { TrustedProxies: '127.0.0.2', CorsAllowedOrigins: 'https://app.example' } })));
  after(() => s.close());

  it('every answer, errors included, carries a strict CSP, nosniff, Referrer-Policy and no HSTS over plain http', async () => {
    for (const path of ['/health', '/api/manuals', '/no/such/route']) {
      const res = await s.request(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /script-src 'self'( 'wasm-unsafe-eval')?;/, path);
      assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('strict-transport-security'), null);
    }
  });

  it('the API reference page keeps its own CSP (swagger needs inline styles), still without inline script', async () => {
    const res = await s.request('/api/docs');
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(await res.text(), /<script>(?!<\/script>)/, 'no inline script on the page');
  });

  it('HSTS only when a trusted proxy says the request came over https', async () => {
    const proxied = await from(s, '127.0.0.2', '/health', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(proxied.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    const spoofed = await from(s, '127.0.0.1', '/health', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(spoofed.headers['strict-transport-security'], undefined);
  });

  it('CORS: the listed origin is echoed (never *), a foreign origin gets nothing, preflight answered', async () => {
    const ok = await s.request('/health', { headers: { origin: 'https://app.example' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(ok.headers.get('access-control-allow-credentials'), null);
    const foreign = await s.request('/health', { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    const pre = await s.request('/api/manuals', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    const preForeign = await s.request('/api/manuals', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(preForeign.headers.get('access-control-allow-origin'), null);
  });

  it('no CORS at all when CorsAllowedOrigins is empty', async () => {
    const plain = await startTestServer();
    try {
      const res = await plain.request('/health', { headers: { origin: 'https://app.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), null);
    } finally {
      await plain.close();
    }
  });
});
