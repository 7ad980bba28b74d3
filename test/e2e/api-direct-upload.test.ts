/**
 * Direct uploads on the embedded server (ADR 0030): POST /api/manuals/uploads → PUT the bytes to the
 * ticket's url (the server's own streaming route, authorised by the url's token) → complete. A 30 MB
 * PDF becomes searchable and downloads byte for byte; refusals leave nothing staged.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bigPdf, buildPdf } from '../helpers/api-pdfs.js';
import { repoRoot } from '../helpers/eval-manuals.js';
import { runCommand } from '../helpers/run-command.js';
import { startTestServer, TEST_PASSWORD, uniqueEmail, type TestServer } from '../helpers/server.js';

const MB = 1024 * 1024;
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('direct upload (embedded server)', () => {
  let t: TestServer;
  let owner: string;
  let other: string;
  const otherEmail = uniqueEmail('other');
  const staged = () => (existsSync(join(t.dataDir, 'blobs', 'uploads')) ? readdirSync(join(t.dataDir, 'blobs', 'uploads')).filter((f) => f.endsWith('.pdf') || f.endsWith('.tmp')) : []);

  before(async () => {
    t = await startTestServer({ parameters: { MaxManualSizeMB: 50 } });
    owner = await t.signup(); // the first account: administrator
    other = await t.signup(otherEmail);
  });
  after(() => t?.close());

  const start = async (token: string, body: Record<string, unknown>) => {
    const res = await t.request('/api/manuals/uploads', { token, json: body });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const put = async (ticket: Record<string, any>, data: Uint8Array, headers: Record<string, string> = {}) => {
    const res = await fetch(new URL(ticket.url, t.url), { method: 'PUT', headers: { ...ticket.headers, ...headers }, body: new Uint8Array(data) });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as Record<string, any>) };
  };
  const complete = async (token: string, id: string) => {
    const res = await t.request(`/api/manuals/uploads/${id}/complete`, { token, method: 'POST' });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('a 30 MB PDF: ticket, PUT, complete; it becomes searchable and downloads byte for byte', async () => {
    const pdf = bigPdf(30 * MB, [['The flux capacitor of the Delorean needs 1.21 gigawatts to time travel.'], ['Plutonium refills are sold separately.']]);
    const s = await start(owner, { filename: 'delorean.pdf', size: pdf.length, sha256: sha(pdf) });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal(s.body.method, 'PUT');
    assert.match(s.body.url, /^\/api\/manuals\/uploads\/[0-9a-f-]{36}\/content\?token=/);
    assert.ok(Date.parse(s.body.expires_at) > Date.now());
    assert.equal(s.body.max_bytes, 50 * MB);
    const p = await put(s.body, pdf); // no Authorization: the url's token is the credential
    assert.equal(p.status, 204, JSON.stringify(p.body));
    const c = await complete(owner, s.body.upload_id);
    assert.equal(c.status, 202, JSON.stringify(c.body));
    assert.equal(c.body.size, pdf.length);
    assert.equal(c.body.duplicate, false);
    const job = await t.waitForJob(owner, c.body.job_id, 120_000);
    assert.equal(job.status, 'completed', JSON.stringify(job.failure_reasons));
    assert.deepEqual(staged(), []);
    const q = (await (await t.request('/api/query', { token: owner, json: { question: 'How many gigawatts does the flux capacitor need?' } })).json()) as Record<string, any>;
    assert.equal(q.context_found, true);
    assert.equal(q.sources[0].manual_id, c.body.manual_id);
    const file = await t.request(`/api/manuals/${c.body.manual_id}/file`, { token: owner });
    assert.equal(file.status, 200);
    assert.equal(sha(new Uint8Array(await file.arrayBuffer())), sha(pdf));
    // The same upload id is spent: completing again is not found.
    assert.equal((await complete(owner, s.body.upload_id)).status, 404);
    // Another user: the manual is not theirs (404, like any other id).
    assert.equal((await t.request(`/api/manuals/${c.body.manual_id}/file`, { token: other })).status, 404);
  });

  it('the manuel CLI uploads a 30 MB PDF the same way (PUT to the server\'s own route) and waits for ingestion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manuel-direct-cli-'));
    try {
      const file = join(dir, 'flux.pdf');
      const pdf = bigPdf(30 * MB, [['Mr. Fusion manual'], ['Mr. Fusion turns banana peels into the 1.21 gigawatts of the flux capacitor.']]);
      writeFileSync(file, pdf);
      const env = { ...process.env, MANUEL_CONFIG_DIR: join(dir, 'config'), MANUEL_SERVER: '' };
      const manuel = (args: string[]) => runCommand(process.execPath, [join(repoRoot, 'bin', 'manuel.js'), '--server', t.url, ...args], env, '');
      const signup = await manuel(['signup', '--email', uniqueEmail('cli-direct'), '--password', TEST_PASSWORD]);
      assert.equal(signup.code, 0, signup.stderr);
      const up = await manuel(['upload', file]);
      assert.equal(up.code, 0, up.stderr);
      assert.match(up.stdout, /flux\.pdf: completed \(pages 2, /);
      assert.deepEqual(staged(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a PUT longer than declared is refused (413 payload_too_large) and nothing is staged', async () => {
    const pdf = buildPdf([['Short manual about levers.']]);
    const s = await start(owner, { filename: 'short.pdf', size: pdf.length });
    const longer = Buffer.concat([pdf, Buffer.alloc(4096, 0x20)]);
    const p = await put(s.body, longer);
    assert.equal(p.status, 413, JSON.stringify(p.body));
    assert.equal(p.body!.error_type, 'payload_too_large');
    assert.deepEqual(staged(), []);
    const c = await complete(owner, s.body.upload_id);
    assert.equal(c.status, 409);
    assert.equal(c.body.error_type, 'upload_incomplete');
    // The legitimate PUT still works afterwards, and the upload completes.
    assert.equal((await put(s.body, pdf)).status, 204);
    assert.equal((await complete(owner, s.body.upload_id)).status, 202);
  });

  it('a declared size over MaxManualSizeMB is refused before any byte is sent', async () => {
    const s = await start(owner, { filename: 'huge.pdf', size: 50 * MB + 1 });
    assert.equal(s.status, 413);
    assert.equal(s.body.error_type, 'payload_too_large');
  });

  it('complete with a non-PDF: 415 not_a_pdf, the staged bytes are gone', async () => {
    const fake = Buffer.from('MZ this is a program, not a manual'.repeat(100));
    const s = await start(owner, { filename: 'manual.pdf', size: fake.length });
    assert.equal((await put(s.body, fake)).status, 204);
    assert.equal(staged().length, 1);
    const c = await complete(owner, s.body.upload_id);
    assert.equal(c.status, 415);
    assert.equal(c.body.error_type, 'not_a_pdf');
    assert.deepEqual(staged(), []);
    assert.equal((await complete(owner, s.body.upload_id)).status, 404);
  });

  it('bytes that are not the declared sha256: 422 checksum_mismatch, nothing kept', async () => {
    const pdf = buildPdf([['Checksum page.']]);
    const s = await start(owner, { filename: 'c.pdf', size: pdf.length, sha256: 'ab'.repeat(32) });
    assert.equal((await put(s.body, pdf)).status, 204);
    const c = await complete(owner, s.body.upload_id);
    assert.equal(c.status, 422);
    assert.equal(c.body.error_type, 'checksum_mismatch');
    assert.deepEqual(staged(), []);
  });

  it("another user can neither complete someone else's upload nor PUT to it without its token", async () => {
    const pdf = buildPdf([['Private page.']]);
    const s = await start(owner, { filename: 'mine.pdf', size: pdf.length });
    const wrongToken = { ...s.body, url: s.body.url.replace(/token=[^&]+/, 'token=AAAA') };
    assert.equal((await put(wrongToken, pdf)).status, 404);
    const noToken = await fetch(new URL(s.body.url.replace(/\?.*$/, ''), t.url), { method: 'PUT', headers: { authorization: `Bearer ${other}` }, body: new Uint8Array(pdf) });
    assert.equal(noToken.status, 404); // a bearer token is not a substitute for the url's token
    assert.equal((await put(s.body, pdf)).status, 204);
    const theirs = await complete(other, s.body.upload_id);
    assert.equal(theirs.status, 404);
    assert.equal(staged().length, 1, 'a refused stranger does not destroy the owner\'s upload');
    assert.equal((await complete(owner, s.body.upload_id)).status, 202);
  });

  it('shared library uploads are for administrators only (the first account is the administrator)', async () => {
    const refused = await start(other, { filename: 'x.pdf', size: 100, shared: true });
    assert.equal(refused.status, 403);
    const pdf = buildPdf([['Shared library page about the common remote control.']]);
    const s = await start(owner, { filename: 'shared.pdf', size: pdf.length, shared: true });
    assert.equal(s.status, 201);
    assert.equal((await put(s.body, pdf)).status, 204);
    assert.equal((await complete(other, s.body.upload_id)).status, 404);
    const c = await complete(owner, s.body.upload_id);
    assert.equal(c.status, 202);
    // Everyone sees a shared manual: the other user may download it.
    assert.equal((await t.request(`/api/manuals/${c.body.manual_id}`, { token: other })).status, 200);
  });

  it('the multipart upload still works next to it', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(buildPdf([['Multipart page.']]))], { type: 'application/pdf' }), 'm.pdf');
    const res = await t.request('/api/manuals/upload', { token: owner, body: form });
    assert.equal(res.status, 202);
  });

  it('import of a staged manual (manuel import --in): admin only, the admin\'s own upload only, sha256 checked, staging gone', async () => {
    const pdf = buildPdf([['Imported manual: the descaling cycle takes 25 minutes.']]);
    const record = { owner_email: otherEmail, name: 'Descaler', file_name: 'descaler.pdf', upload_date: '2025-01-02T03:04:05.000Z', source: 'upload', content_hash: sha(pdf) };
    const stage = async (token: string) => {
      const s = await start(token, { filename: 'descaler.pdf', size: pdf.length, sha256: sha(pdf) });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      assert.equal((await put(s.body, pdf)).status, 204);
      return s.body.upload_id as string;
    };
    const importStaged = (token: string, body: Record<string, unknown>) => t.request('/api/admin/import/manuals/staged', { token, json: body });
    // A non-admin may not import, even their own upload.
    const mine = await stage(other);
    assert.equal((await importStaged(other, { ...record, upload_id: mine })).status, 403);
    // The administrator cannot import another user's staged upload: 404, nothing said about it.
    assert.equal((await importStaged(owner, { ...record, upload_id: mine })).status, 404);
    // A record whose hash is not the staged bytes' is refused, and the staging is gone either way.
    const wrong = await stage(owner);
    const bad = await importStaged(owner, { ...record, content_hash: 'f'.repeat(64), upload_id: wrong });
    assert.equal(bad.status, 400, await bad.clone().text());
    assert.equal((await importStaged(owner, { ...record, upload_id: wrong })).status, 404);
    // The real thing: the manual is the other user's, with the archived upload date; importing it again adds nothing.
    const ok = await importStaged(owner, { ...record, upload_id: await stage(owner) });
    assert.equal(ok.status, 200, await ok.clone().text());
    const result = (await ok.json()) as { manual_id: string; status: string };
    assert.equal(result.status, 'created');
    const manual = (await (await t.request(`/api/manuals/${result.manual_id}`, { token: other })).json()) as { upload_date: string };
    assert.equal(new Date(manual.upload_date).toISOString(), record.upload_date);
    const again = (await (await importStaged(owner, { ...record, upload_id: await stage(owner) })).json()) as { manual_id: string; status: string };
    assert.deepEqual(again, { ...again, manual_id: result.manual_id, status: 'exists' });
    assert.deepEqual(staged().filter((f) => !f.startsWith(mine)), []);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    assert.ok(doc.paths['/api/manuals/uploads']?.post);
    assert.ok(doc.paths['/api/manuals/uploads/{id}/content']?.put);
    assert.ok(doc.paths['/api/manuals/uploads/{id}/complete']?.post);
    assert.ok(doc.paths['/api/admin/import/manuals/staged']?.post);
  });
});

describe('direct upload with EnableWAF and EnableAdvancedSecurity on', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ parameters: { EnableWAF: true, EnableAdvancedSecurity: true } });
  });
  after(() => t?.close());

  it('a legitimate direct upload is not blocked by request inspection or the rate limits', async () => {
    const token = await t.signup();
    for (let i = 0; i < 5; i++) {
      const pdf = buildPdf([[`Manual number ${i} about the mixing valve.`]]);
      const s = await t.request('/api/manuals/uploads', { token, json: { filename: `valve-${i}.pdf`, size: pdf.length, sha256: sha(pdf) } });
      assert.equal(s.status, 201, await s.clone().text());
      const ticket = (await s.json()) as Record<string, any>;
      const put = await fetch(new URL(ticket.url, t.url), { method: 'PUT', headers: ticket.headers, body: new Uint8Array(pdf) });
      assert.equal(put.status, 204, await put.text());
      const c = await t.request(`/api/manuals/uploads/${ticket.upload_id}/complete`, { token, method: 'POST' });
      assert.equal(c.status, 202, await c.text());
    }
  });
});
