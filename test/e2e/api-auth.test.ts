import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { startTestServer, uniqueEmail, TEST_PASSWORD, type TestServer } from '../helpers/server.js';

const assertErrorBody = (body: Record<string, unknown>, type: string) => {
  assert.equal(body.error_type, type, JSON.stringify(body));
  assert.equal(typeof body.error, 'string');
  assert.match(String(body.request_id), /^[\w-]+$/);
  assert.ok(!Number.isNaN(Date.parse(String(body.timestamp))));
  assert.ok(!JSON.stringify(body).includes('    at '), 'no stack trace in an error body');
};

describe('API: authentication, errors, OpenAPI', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ parameters: { AdminEmail: 'root@example.test' } });
  });
  after(() => t.close());

  it('signs up (first account admin), logs in, refreshes with rotation', async () => {
    const email = uniqueEmail('first');
    const first = await t.session(email);
    assert.equal(first.user.is_admin, true);
    assert.equal(first.token_type, 'Bearer');
    assert.ok(first.expires_in > 0);
    for (const k of ['id_token', 'access_token', 'refresh_token'] as const) assert.ok(first[k].length > 20, k);

    const second = await t.session();
    assert.equal(second.user.is_admin, false, 'only the first account is admin by default');
    assert.equal((await t.session('Root@Example.test')).user.is_admin, true, 'AdminEmail is admin');

    const login = await t.request('/api/auth/login', { json: { email: email.toUpperCase(), password: TEST_PASSWORD } });
    assert.equal(login.status, 200);
    const s = await login.json();
    assert.equal(s.user.email, email);

    const r1 = await t.request('/api/auth/refresh', { json: { refresh_token: s.refresh_token } });
    assert.equal(r1.status, 200);
    const refreshed = await r1.json();
    assert.notEqual(refreshed.refresh_token, s.refresh_token);
    assert.equal((await t.request('/api/manuals', { token: refreshed.access_token })).status, 200);
    // the id token works as a bearer too (clients of the Cognito-based original send it)
    assert.equal((await t.request('/api/manuals', { token: refreshed.id_token })).status, 200);

    const again = await t.request('/api/auth/refresh', { json: { refresh_token: s.refresh_token } });
    assert.equal(again.status, 401);
    assertErrorBody(await again.json(), 'unauthorized');
  });

  it('logs out: the refresh token stops working, other sessions keep theirs', async () => {
    const email = uniqueEmail();
    const a = await (await t.request('/api/auth/signup', { json: { email, password: TEST_PASSWORD } })).json();
    const b = await (await t.request('/api/auth/login', { json: { email, password: TEST_PASSWORD } })).json();
    const out = await t.request('/api/auth/logout', { json: { refresh_token: a.refresh_token } });
    assert.equal(out.status, 200);
    assert.deepEqual(await out.json(), { success: true });
    assert.equal((await t.request('/api/auth/refresh', { json: { refresh_token: a.refresh_token } })).status, 401);
    assert.equal((await t.request('/api/auth/refresh', { json: { refresh_token: b.refresh_token } })).status, 200, 'another device stays signed in');
    assert.equal((await t.request('/api/auth/logout', { json: { refresh_token: 'not-a-token' } })).status, 200, 'idempotent');
  });

  it('refuses wrong passwords, duplicate emails, bad input', async () => {
    const email = uniqueEmail();
    await t.signup(email);
    const wrong = await t.request('/api/auth/login', { json: { email, password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assertErrorBody(await wrong.json(), 'unauthorized');
    const dup = await t.request('/api/auth/signup', { json: { email, password: TEST_PASSWORD } });
    assert.equal(dup.status, 409);
    assertErrorBody(await dup.json(), 'conflict');

    const badEmail = await t.request('/api/auth/signup', { json: { email: 'not-an-email', password: TEST_PASSWORD } });
    assert.equal(badEmail.status, 400);
    const b = await badEmail.json();
    assertErrorBody(b, 'validation_error');
    assert.match(b.error, /^email:/, 'the message names the field');
    assert.equal(b.details.field, 'email');

    const short = await t.request('/api/auth/signup', { json: { email: uniqueEmail(), password: 'short' } });
    assert.equal(short.status, 400);
    assert.match((await short.json()).error, /^password:/);

    const malformed = await t.request('/api/auth/login', { body: '{"email": "a@b.c", ', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assertErrorBody(await malformed.json(), 'malformed_json');
  });

  it('needs a valid bearer token on every /api route but auth and docs', async () => {
    const routes: [string, string][] = [
      ['GET', '/api/manuals'],
      ['GET', '/api/manuals/x'],
      ['DELETE', '/api/manuals/x'],
      ['GET', '/api/manuals/x/file'],
      ['GET', '/api/manuals/x/pages/1.png'],
      ['POST', '/api/manuals/upload'],
      ['POST', '/api/manuals/download'],
      ['GET', '/api/ingestion/status?job_id=x'],
      ['POST', '/api/query'],
      ['POST', '/api/transcribe'],
      ['GET', '/api/user/usage'],
      ['GET', '/api/user/quota'],
      ['POST', '/api/bootstrap'],
      ['GET', '/api/no-such-route'],
    ];
    const secret = readFileSync(join(t.dataDir, 'jwt-secret'), 'utf8').trim();
    const me = await t.session();
    const sign = (claims: Record<string, unknown>, key: string, exp: number) =>
      new SignJWT({ email: me.user.email, admin: false, token_use: 'access', ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(me.user.id)
        .setIssuer('manuel')
        .setAudience('manuel-api')
        .setIssuedAt(exp - 3600)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(key));
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign({}, secret, now - 10);
    const forged = await sign({ admin: true }, 'a'.repeat(48), now + 600);
    const valid = await sign({}, secret, now + 600);
    assert.equal((await t.request('/api/manuals', { token: valid })).status, 200, 'a token signed with the server secret is accepted');
    const [h, p] = valid.split('.');
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;

    for (const [method, path] of routes) {
      for (const token of [undefined, 'garbage', expired, forged, noneAlg, `${h}.${p}.AAAA`]) {
        const res = await t.request(path, { method, token });
        assert.equal(res.status, 401, `${method} ${path} with ${token?.slice(0, 12)}`);
        const body = await res.json();
        assertErrorBody(body, 'unauthorized');
        assert.equal(res.headers.get('x-request-id'), body.request_id);
      }
    }
    const exp = await t.request('/api/manuals', { token: expired });
    assert.match((await exp.json()).error, /expired/i);
  });

  it('serves health, the OpenAPI document and an offline reference page without a token', async () => {
    const health = await t.request('/health');
    assert.equal(health.status, 200);
    const h = await health.json();
    assert.equal(h.status, 'healthy');
    assert.equal(h.service, 'manuel');
    assert.equal(h.checks.database, 'ok');
    assert.equal(h.checks.worker, 'running');
    assert.ok(typeof h.version === 'string');

    const doc = await (await t.request('/api/openapi.json')).json();
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/api/auth/signup', '/api/manuals', '/api/manuals/upload', '/api/manuals/download', '/api/manuals/{id}', '/api/manuals/{id}/file', '/api/ingestion/status', '/api/query', '/api/transcribe', '/api/user/usage', '/api/user/quota', '/api/bootstrap', '/health']) {
      assert.ok(doc.paths[p], `${p} documented`);
    }
    const queryBody = doc.paths['/api/query'].post.requestBody.content['application/json'].schema;
    const resolved = queryBody.$ref ? doc.components.schemas[queryBody.$ref.split('/').pop()] : queryBody;
    assert.equal(resolved.properties.question.maxLength, 1000, 'limits come from the same zod schemas that validate');
    assert.ok(doc.components.securitySchemes.bearerAuth);

    const page = await t.request('/api/docs');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(!/https?:\/\//.test(html.replace(/<!doctype html>/i, '')), 'no CDN: every asset is local');
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const asset = await t.request(src[1]!);
      assert.equal(asset.status, 200, src[1]);
      await asset.arrayBuffer();
    }
  });

  it('keeps a well-formed X-Request-Id from the client, generates one otherwise, answers 404 JSON for unknown routes', async () => {
    const token = await t.signup();
    const res = await t.request('/api/nothing-here', { token, headers: { 'x-request-id': 'trace-abc-123' } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-request-id'), 'trace-abc-123');
    const body = await res.json();
    assertErrorBody(body, 'not_found');
    assert.equal(body.request_id, 'trace-abc-123');
    const evil = await t.request('/health', { headers: { 'x-request-id': 'bad id <script>' } });
    assert.match(evil.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
