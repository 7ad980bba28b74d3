/**
 * The WAF and request signing both read bodies: with both on, a signed request's digest is checked
 * over the very bytes the WAF inspected (read once, through Hono's body cache), a tampered body is
 * still refused, and an attack inside a signed request is still blocked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedFetch } from '../helpers/signed-requests.js';

describe('WAF with signed requests (EnableWAF + EnableAdvancedSecurity)', () => {
  let t: TestServer;
  let creds: { keyId: string; secret: string };
  before(async () => {
    t = await startTestServer({ parameters: { EnableWAF: true, EnableAdvancedSecurity: true, DailyQuotaLimit: 0 } });
    const token = await t.signup();
    const key = (await (await t.request('/api/keys', { token, json: { name: 'ci' } })).json()) as { key_id: string; secret: string };
    creds = { keyId: key.key_id, secret: key.secret };
  });
  after(() => t.close());

  it('a signed JSON question and a signed multipart upload pass both', async () => {
    const q = await signedFetch(t.url, '/api/query', creds, { json: { question: 'how do I run ip link set eth0 up && ping 8.8.8.8?' } });
    assert.equal(q.status, 200, await q.clone().text());
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(buildPdf([['Signed page one']]))], { type: 'application/pdf' }), 'router; setup (v2).pdf');
    const encoded = new Request('http://x/', { method: 'POST', body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const up = await signedFetch(t.url, '/api/manuals/upload', creds, { body, contentType: encoded.headers.get('content-type')! });
    assert.equal(up.status, 202, await up.clone().text());
  });

  it('a tampered body is still refused, and an attack in a signed request is still blocked', async () => {
    const tampered = await signedFetch(t.url, '/api/query', creds, {
      json: { question: 'how do I reset?' },
      tamper: (r) => (r.body = new Uint8Array(Buffer.from(JSON.stringify({ question: 'how do I format?' })))),
    });
    assert.equal(tampered.status, 401);
    assert.equal(((await tampered.json()) as { error_type: string }).error_type, 'invalid_signature');
    const attack = await signedFetch(t.url, '/api/manuals/download', creds, { json: { url: 'http://169.254.169.254/latest/meta-data/' } });
    assert.equal(attack.status, 403);
    assert.equal(((await attack.json()) as { rule: string }).rule, 'common.ec2_metadata');
  });
});
