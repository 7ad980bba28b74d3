import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CognitoIdentityProvider } from '../../src/adapters/aws/cognito-identity-provider.js';
import { createApp } from '../../src/http/app.js';
import { motoSkip, startMoto, type MotoServer } from '../helpers/aws-emulators.js';
import { createTestPool, type TestPool } from '../helpers/cognito-pool.js';
import { embeddedApp } from './embedded-app.js';

/**
 * The auth routes and the bearer middleware of the one Hono app, with Cognito (moto) as the
 * identity provider: the same request and response fields and the same statuses as embedded.
 */
describe('HTTP auth over Cognito (moto)', { skip: motoSkip() }, () => {
  let moto: MotoServer;
  let pool: TestPool;
  let env: Awaited<ReturnType<typeof embeddedApp>>;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    [moto, env] = await Promise.all([startMoto(), embeddedApp({ embedder: null })]);
    pool = await createTestPool(moto);
    const identity = new CognitoIdentityProvider({ client: pool.client, userPoolId: pool.userPoolId, clientId: pool.clientId, users: env.app.users, jwksUri: pool.jwksUri });
    app = createApp({ ...env.app, auth: { ...env.app.auth, identity } }, { validateResponses: true });
  });
  after(async () => {
    pool?.client.destroy();
    await Promise.all([moto?.close(), env?.cleanup()]);
  });
  const post = (path: string, json: unknown) => app.request(path, { method: 'POST', body: JSON.stringify(json), headers: { 'content-type': 'application/json' } });

  it('signs up (201, Session fields, first account admin), and the tokens open /api routes', async () => {
    const res = await post('/api/auth/signup', { email: 'Ada@Example.com', password: 'correct horse battery', name: 'Ada' });
    assert.equal(res.status, 201);
    const s = await res.json();
    assert.deepEqual(Object.keys(s).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type', 'user']);
    assert.deepEqual(s.user, { id: s.user.id, email: 'ada@example.com', name: 'Ada', is_admin: true });
    assert.match(s.user.id, /^[0-9a-f-]{36}$/, 'the Cognito sub');
    for (const token of [s.access_token, s.id_token]) {
      const r = await app.request('/api/manuals', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200, await r.text());
    }
    assert.equal((await app.request('/api/manuals', { headers: { authorization: 'Bearer x.y.z' } })).status, 401);
  });

  it('answers 409 for a taken email, 400 for a short password, 401 for wrong credentials', async () => {
    const dup = await post('/api/auth/signup', { email: 'ada@example.com', password: 'another password' });
    assert.equal(dup.status, 409);
    assert.equal((await dup.json()).error_type, 'conflict');
    assert.equal((await post('/api/auth/signup', { email: 'bob@example.com', password: 'short' })).status, 400);
    const wrong = await post('/api/auth/login', { email: 'ada@example.com', password: 'wrong password' });
    const unknown = await post('/api/auth/login', { email: 'ghost@example.com', password: 'wrong password' });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal((await wrong.json()).error, (await unknown.json()).error);
  });

  it('logs in and refreshes with a Cognito refresh token (longer than the embedded ones)', async () => {
    const login = await post('/api/auth/login', { email: 'ada@example.com', password: 'correct horse battery' });
    assert.equal(login.status, 200);
    const s = await login.json();
    const r = await post('/api/auth/refresh', { refresh_token: s.refresh_token });
    assert.equal(r.status, 200);
    const refreshed = await r.json();
    assert.equal(refreshed.user.id, s.user.id);
    assert.equal((await app.request('/api/manuals', { headers: { authorization: `Bearer ${refreshed.access_token}` } })).status, 200);
    assert.equal((await post('/api/auth/refresh', { refresh_token: 'x'.repeat(1800) })).status, 401);
  });
});
