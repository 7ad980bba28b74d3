import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedFetch, signedRequest } from '../helpers/signed-requests.js';
import { serverKeyId } from '../../src/http/signing/server-keys.js';
import { redisReady } from '../../src/adapters/redis/redis-connection.js';

const NEW_SERVER_SECRET = 'server-secret-2026-new-0123456789abcdef';
const OLD_SERVER_SECRET = 'server-secret-2025-old-0123456789abcdef';
const serverCreds = (secret: string) => ({ keyId: serverKeyId(secret), secret });
const sha256Base64 = (body: Uint8Array) => createHash('sha256').update(body).digest('base64');

interface NewKey {
  key_id: string;
  secret: string;
  name: string;
  created_at: string;
}

async function createKey(t: TestServer, token: string, name = 'script'): Promise<NewKey> {
  const res = await t.request('/api/keys', { token, json: { name } });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as NewKey;
}

const creds = (k: NewKey) => ({ keyId: k.key_id, secret: k.secret });

async function refused(res: Response, reason: RegExp): Promise<void> {
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 401, JSON.stringify(body));
  assert.equal(body.error_type, 'invalid_signature');
  assert.match(String(body.reason), reason);
}

describe('signed requests (RFC 9421) with API keys and server keys, security flag on', () => {
  let t: TestServer;
  let adminToken: string;
  let userToken: string;
  let key: NewKey;
  before(async () => {
    t = await startTestServer({ parameters: { EnableAdvancedSecurity: true, HMACSigningKey: `${NEW_SERVER_SECRET},${OLD_SERVER_SECRET}` } });
    adminToken = await t.signup(); // the first account is admin
    userToken = await t.signup();
    key = await createKey(t, userToken, 'build server');
  });
  after(() => t.close());

  it('creates a key whose secret is shown once; the list never shows secrets', async () => {
    assert.match(key.key_id, /^mk_/);
    assert.equal(key.name, 'build server');
    assert.ok(key.secret.length >= 40);
    const list = await (await t.request('/api/keys', { token: userToken })).json();
    assert.equal(list.count, 1);
    assert.deepEqual(list.keys, [{ key_id: key.key_id, name: 'build server', created_at: key.created_at }]);
    assert.ok(!JSON.stringify(list).includes(key.secret));
  });

  it('a signed request without a bearer token acts as the key\'s user', async () => {
    const res = await signedFetch(t.url, '/api/user/usage', creds(key));
    assert.equal(res.status, 200);
    const mine = await (await t.request('/api/user/usage', { token: userToken })).json();
    assert.equal((await res.json()).user_id, mine.user_id);
    const listed = await signedFetch(t.url, '/api/manuals?limit=5', creds(key));
    assert.equal(listed.status, 200);
  });

  it('signs a JSON body through its content digest', async () => {
    const res = await signedFetch(t.url, '/api/query', creds(key), { json: { question: 'how do I reset the printer?' } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).question, 'how do I reset the printer?');
  });

  it('signs a multipart upload over the exact bytes sent', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(buildPdf([['Signed upload page one']]))], { type: 'application/pdf' }), 'signed.pdf');
    const encoded = new Request('http://x/', { method: 'POST', body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const res = await signedFetch(t.url, '/api/manuals/upload', creds(key), { body, contentType: encoded.headers.get('content-type')! });
    assert.equal(res.status, 202, await res.clone().text());
  });

  it('refuses an unsigned request without a token (unauthorized), as before', async () => {
    const res = await t.request('/api/manuals');
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error_type, 'unauthorized');
  });

  it('refuses a tampered body, query, method or path', async () => {
    await refused(
      await signedFetch(t.url, '/api/query', creds(key), { json: { question: 'a' }, tamper: (r) => (r.body = new Uint8Array(Buffer.from(JSON.stringify({ question: 'b' })))) }),
      /content-digest does not match/,
    );
    await refused(
      await signedFetch(t.url, '/api/query', creds(key), {
        json: { question: 'a' },
        tamper: (r) => {
          // a consistent new digest does not help: the signature covers the digest
          r.body = new Uint8Array(Buffer.from(JSON.stringify({ question: 'b' })));
          r.headers['content-digest'] = `sha-256=:${sha256Base64(r.body)}:`;
        },
      }),
      /does not match/,
    );
    await refused(await signedFetch(t.url, '/api/manuals?limit=5', creds(key), { tamper: (r) => (r.path = '/api/manuals?limit=500') }), /does not match/);
    await refused(await signedFetch(t.url, '/api/manuals', creds(key), { tamper: (r) => (r.path = '/api/user/usage') }), /does not match/);
    const manual = '/api/manuals/does-not-exist';
    await refused(await signedFetch(t.url, manual, creds(key), { tamper: (r) => (r.method = 'DELETE') }), /does not match/);
  });

  it('refuses a body whose digest is not covered, and a missing nonce', async () => {
    await refused(await signedFetch(t.url, '/api/query', creds(key), { json: { question: 'a' }, sign: { fields: ['@method', '@path', '@query'] } }), /must cover/);
    await refused(await signedFetch(t.url, '/api/manuals', creds(key), { sign: { params: ['created', 'keyid', 'alg'] } }), /"nonce"/);
  });

  it('refuses a replayed request', async () => {
    const signed = await signedRequest(t.url, '/api/manuals', creds(key));
    assert.equal((await fetch(t.url + '/api/manuals', { headers: signed.headers })).status, 200);
    await refused(await fetch(t.url + '/api/manuals', { headers: signed.headers }), /replay/);
    const post = await signedRequest(t.url, '/api/query', creds(key), { json: { question: 'once' } });
    assert.equal((await fetch(t.url + '/api/query', post)).status, 200);
    await refused(await fetch(t.url + '/api/query', post), /replay/);
  });

  it('accepts created within ±300 s, refuses a stale or a future one', async () => {
    // The exact boundary (±300 accepted, ±301 refused) is the verifier's unit test, on a fixed clock. Here the
    // server reads its clock after signing: a stalled loop between the two moves a future `created` closer, so
    // every case keeps ≥ 9 s from the boundary (a CI run once saw +301 accepted after a 1 s stall).
    const at = (s: number) => ({ sign: { created: new Date(Date.now() + s * 1000) } });
    assert.equal((await signedFetch(t.url, '/api/manuals', creds(key), at(-290))).status, 200);
    assert.equal((await signedFetch(t.url, '/api/manuals', creds(key), at(290))).status, 200);
    await refused(await signedFetch(t.url, '/api/manuals', creds(key), at(-310)), /300 s/);
    await refused(await signedFetch(t.url, '/api/manuals', creds(key), at(310)), /300 s/);
  });

  it('refuses an unknown keyid and a wrong secret', async () => {
    await refused(await signedFetch(t.url, '/api/manuals', { keyId: 'mk_000000000000000000000000', secret: key.secret }), /unknown keyid/);
    await refused(await signedFetch(t.url, '/api/manuals', { keyId: key.key_id, secret: 'mks_guessed' }), /does not match/);
    // a server key is not a user's API key
    await refused(await signedFetch(t.url, '/api/manuals', serverCreds(NEW_SERVER_SECRET)), /unknown keyid/);
  });

  it('keys are per user: others cannot see or revoke them; revoked keys stop working', async () => {
    const other = await t.signup();
    assert.deepEqual((await (await t.request('/api/keys', { token: other })).json()).keys, []);
    const theirs = await t.request(`/api/keys/${key.key_id}`, { method: 'DELETE', token: other });
    assert.equal(theirs.status, 404);
    const doomed = await createKey(t, userToken, 'doomed');
    assert.equal((await signedFetch(t.url, '/api/manuals', creds(doomed))).status, 200);
    const del = await t.request(`/api/keys/${doomed.key_id}`, { method: 'DELETE', token: userToken });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), { success: true, key_id: doomed.key_id });
    await refused(await signedFetch(t.url, '/api/manuals', creds(doomed)), /unknown keyid/);
    assert.equal((await signedFetch(t.url, '/api/manuals', creds(key))).status, 200, 'the other key still works');
  });

  it('a key cannot mint keys; it can list and revoke its user\'s keys', async () => {
    const res = await signedFetch(t.url, '/api/keys', creds(key), { json: { name: 'successor' } });
    assert.equal(res.status, 403);
    assert.equal((await signedFetch(t.url, '/api/keys', creds(key))).status, 200);
    const spare = await createKey(t, userToken, 'spare');
    assert.equal((await signedFetch(t.url, `/api/keys/${spare.key_id}`, creds(key), { method: 'DELETE' })).status, 200);
  });

  it('admin routes need the admin token AND a server-key signature; old keys work while listed', async () => {
    const status = { action: 'status' };
    const plain = await t.request('/api/bootstrap', { token: adminToken, json: status });
    await refused(plain, /missing signature/);
    for (const secret of [NEW_SERVER_SECRET, OLD_SERVER_SECRET]) {
      const res = await signedFetch(t.url, '/api/bootstrap', serverCreds(secret), { json: status, headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(res.status, 200, await res.clone().text());
    }
    const stranger = await signedFetch(t.url, '/api/bootstrap', serverCreds('not-a-server-secret'), { json: status, headers: { authorization: `Bearer ${adminToken}` } });
    await refused(stranger, /unknown keyid/);
    // the signature alone, or an API key, is not an admin session
    const noToken = await signedFetch(t.url, '/api/bootstrap', serverCreds(NEW_SERVER_SECRET), { json: status });
    assert.equal(noToken.status, 401);
    const adminKey = await createKey(t, adminToken, 'admin script');
    assert.equal((await signedFetch(t.url, '/api/bootstrap', creds(adminKey), { json: status })).status, 401);
    // a user's token with a valid server signature is still not an admin
    const user = await signedFetch(t.url, '/api/bootstrap', serverCreds(NEW_SERVER_SECRET), { json: status, headers: { authorization: `Bearer ${userToken}` } });
    assert.equal(user.status, 403);
  });

  it('web-app bearer sessions are never asked to sign on normal routes', async () => {
    assert.equal((await t.request('/api/manuals', { token: userToken })).status, 200);
    assert.equal((await t.request('/api/query', { token: userToken, json: { question: 'paper jam?' } })).status, 200);
    assert.equal((await t.request('/api/user/quota', { token: adminToken })).status, 200);
  });

  it('documents the key routes and the signature scheme in OpenAPI', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    assert.ok(doc.paths['/api/keys'].post && doc.paths['/api/keys'].get && doc.paths['/api/keys/{key_id}'].delete);
    assert.equal(doc.components.securitySchemes.httpSignature.name, 'Signature');
  });
});

describe('server key rotation: a removed key is refused', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ parameters: { EnableAdvancedSecurity: true, HMACSigningKey: NEW_SERVER_SECRET } });
  });
  after(() => t.close());

  it('accepts the remaining key and refuses the removed one', async () => {
    const admin = await t.signup();
    const headers = { authorization: `Bearer ${admin}` };
    const json = { action: 'status' };
    assert.equal((await signedFetch(t.url, '/api/bootstrap', serverCreds(NEW_SERVER_SECRET), { json, headers })).status, 200);
    await refused(await signedFetch(t.url, '/api/bootstrap', serverCreds(OLD_SERVER_SECRET), { json, headers }), /unknown keyid/);
  });
});

describe('security flag off (HMACSigningKey set)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ parameters: { EnableAdvancedSecurity: false, HMACSigningKey: NEW_SERVER_SECRET } });
  });
  after(() => t.close());

  it('an admin token alone works on admin routes (the legitimate admin is not hurt)', async () => {
    const admin = await t.signup();
    const res = await t.request('/api/bootstrap', { token: admin, json: { action: 'status' } });
    assert.equal(res.status, 200, await res.clone().text());
  });

  it('API keys still work: a signed request is stronger than a bearer token', async () => {
    const token = await t.signup();
    const key = await createKey(t, token);
    assert.equal((await signedFetch(t.url, '/api/manuals', creds(key))).status, 200);
    await refused(await signedFetch(t.url, '/api/manuals', creds(key), { tamper: (r) => (r.path = '/api/manuals?all=1') }), /does not match/);
  });
});

describe('two server processes sharing Redis refuse each other\'s replays', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({ parameters: { RedisUrl: 'redis://127.0.0.1:6379' } });
    // same data dir (database, JWT secret) and the same Redis: two processes of one deployment
    b = await startTestServer({ parameters: { RedisUrl: 'redis://127.0.0.1:6379' }, dataDir: a.dataDir });
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  it('a request accepted by one is a replay for the other', async () => {
    const token = await a.signup();
    const key = await createKey(a, token);
    // both Redis connections up, else each process would fall back to its own memory
    for (const t of [a, b]) assert.ok(await redisReady(t.server.services.redis!), 'Redis at 127.0.0.1:6379 is needed');
    const signed = await signedRequest(a.url, '/api/manuals', creds(key));
    assert.equal((await fetch(a.url + '/api/manuals', { headers: signed.headers })).status, 200);
    await refused(await fetch(b.url + '/api/manuals', { headers: signed.headers }), /replay/);
    const fresh = await signedRequest(b.url, '/api/manuals', creds(key));
    assert.equal((await fetch(b.url + '/api/manuals', { headers: fresh.headers })).status, 200, 'the other process knows the key');
  });
});
