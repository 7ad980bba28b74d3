import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serverKeyId } from '../../src/http/signing/server-keys.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { uploadPdf } from '../helpers/ask-helpers.js';
import { startTestServer, TEST_PASSWORD, uniqueEmail, type TestServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-requests.js';

const SERVER_SECRET = 'account-test-server-key-0123456789abcdef';

describe('deleting accounts (embedded, signed admin routes)', () => {
  let t: TestServer;
  let admin: string;
  before(async () => {
    t = await startTestServer({ parameters: { EnableAdvancedSecurity: true, HMACSigningKey: SERVER_SECRET } });
    admin = await t.signup(uniqueEmail('admin'));
  });
  after(() => t.close());

  const adminDelete = (id: string, token = admin) =>
    signedFetch(t.url, `/api/admin/users/${encodeURIComponent(id)}`, { keyId: serverKeyId(SERVER_SECRET), secret: SERVER_SECRET }, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });

  it('self-deletion needs the password again; then the account, its manuals, files, keys and sessions are gone', async () => {
    const s = await t.session(uniqueEmail('leaver'));
    const other = await t.session(uniqueEmail('stayer'));
    const manualId = await uploadPdf(t, s.access_token, buildPdf([['Leaver manual', 'The orange valve vents the boiler.']]), 'leaver.pdf');
    const manual = await t.server.services.manuals.get(manualId, [s.user.id]);
    assert.ok(manual && (await t.server.services.blobs.exists(manual.blobKey)));
    assert.equal((await t.request('/api/keys', { token: s.access_token, json: { name: 'ci' } })).status, 201);

    const wrong = await t.request('/api/user/account', { method: 'DELETE', token: s.access_token, json: { password: 'not the password' } });
    assert.equal(wrong.status, 401);
    assert.ok(await t.server.services.users.byId(s.user.id), 'a stolen token alone deletes nothing');
    const noBody = await t.request('/api/user/account', { method: 'DELETE', token: s.access_token });
    assert.equal(noBody.status, 400);

    const res = await t.request('/api/user/account', { method: 'DELETE', token: s.access_token, json: { password: TEST_PASSWORD } });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { success: true, user_id: s.user.id, email: s.user.email, manuals_deleted: 1, api_keys_deleted: 1 });
    assert.equal(await t.server.services.users.byId(s.user.id), null);
    assert.deepEqual(await t.server.services.manuals.list([s.user.id]), []);
    assert.equal(await t.server.services.blobs.exists(manual.blobKey), false);
    assert.deepEqual(await t.server.services.signing.apiKeys.listForUser(s.user.id), []);
    assert.equal((await t.request('/api/manuals', { token: s.access_token })).status, 401, 'its bearer token stops at once');
    assert.equal((await t.request('/api/auth/refresh', { json: { refresh_token: s.refresh_token } })).status, 401);
    assert.equal((await t.request('/api/auth/login', { json: { email: s.user.email, password: TEST_PASSWORD } })).status, 401);
    // Another user is not touched.
    assert.equal((await t.request('/api/manuals', { token: other.access_token })).status, 200);
  });

  it('an administrator deletes any user with a signed request; unsigned, non-admin, unknown and last-admin requests are refused', async () => {
    const victim = await t.session(uniqueEmail('victim'));
    const bystander = await t.session(uniqueEmail('bystander'));
    const unsigned = await t.request(`/api/admin/users/${victim.user.id}`, { method: 'DELETE', token: admin });
    assert.equal(unsigned.status, 401, 'admin routes need the server-key signature here');
    const byUser = await adminDelete(victim.user.id, bystander.access_token);
    assert.equal(byUser.status, 403);
    assert.ok(await t.server.services.users.byId(victim.user.id));
    assert.equal((await adminDelete('no-such-user')).status, 404);
    assert.equal((await adminDelete('shared')).status, 404, 'the shared library is not a user');

    const res = await adminDelete(victim.user.id);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { user_id: string }).user_id, victim.user.id);
    assert.equal(await t.server.services.users.byId(victim.user.id), null);
    assert.equal((await t.request('/api/manuals', { token: victim.access_token })).status, 401);
    assert.equal((await adminDelete(victim.user.id)).status, 404, 'a second delete finds nobody');

    const adminId = (await t.server.services.users.list()).find((u) => u.isAdmin)!.id;
    const last = await adminDelete(adminId);
    assert.equal(last.status, 409, 'the only administrator stays');
    assert.equal((await t.request('/api/manuals', { token: admin })).status, 200);
  });
});

describe('GET /api/admin/alerts', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      parameters: { EnableAdvancedErrorHandling: true, AlertWebhookUrl: 'https://hooks.example.com/services/T000/B000/secret-token?topic=alerts-secret', ErrorRateThreshold: 7, DailyCostThreshold: 3 },
    });
  });
  after(() => t.close());

  it('shows an admin the webhook host only and the alarms with thresholds; a user gets 403', async () => {
    const admin = await t.signup(uniqueEmail('ops'));
    const user = await t.signup(uniqueEmail('user'));
    const res = await t.request('/api/admin/alerts', { token: admin });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.doesNotMatch(text, /secret|services\/T000/);
    const body = JSON.parse(text) as { targets: unknown[]; alarms: { name: string; threshold: number }[]; monitoring: boolean };
    assert.deepEqual(body.targets, [{ kind: 'webhook', host: 'hooks.example.com' }]);
    assert.equal(body.monitoring, true);
    assert.deepEqual(
      body.alarms.filter((a) => ['ErrorRateThreshold', 'DailyCostThreshold'].includes(a.name)).map((a) => [a.name, a.threshold]),
      [['ErrorRateThreshold', 7], ['DailyCostThreshold', 3]],
    );
    assert.equal((await t.request('/api/admin/alerts', { token: user })).status, 403);
    assert.equal((await t.request('/api/admin/alerts')).status, 401);
  });
});
