import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startUpload } from '../helpers/ask-helpers.js';
import { startTestServer, uniqueEmail, type TestServer } from '../helpers/server.js';
import { decompressionBombPdf, javascriptPdf, objectCountBombPdf } from '../helpers/threat-pdfs.js';

const GiB = 1024 * 1024 * 1024;

describe('API: upload threat checks (quarantine, bombs)', () => {
  let t: TestServer;
  let alice: string;
  let bob: string;
  let admin: string;
  // Built before the server starts: building it takes seconds of synchronous CPU on a busy machine, and the
  // in-process server's keep-alive timer would then close an idle socket just as the upload reuses it.
  let objectBomb: Buffer;

  const upload = (token: string, pdf: Buffer, fileName: string) => startUpload(t, token, pdf, fileName);

  before(async () => {
    objectBomb = objectCountBombPdf(600_000);
    const adminEmail = uniqueEmail('root');
    t = await startTestServer({ parameters: { AdminEmail: adminEmail } });
    admin = await t.signup(adminEmail);
    alice = await t.signup();
    bob = await t.signup();
  });
  after(() => t.close());

  it('quarantines a PDF with JavaScript on open: reason shown, file withheld, text still searchable, admin release serves it', async () => {
    const { manual_id: id, job_id } = await upload(alice, javascriptPdf(), 'router.pdf');
    const job = await t.waitForJob(alice, job_id);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.ok(job.statistics.inspect_ms >= 0 && job.statistics.pdf_objects === 6, JSON.stringify(job.statistics));

    const detail = await (await t.request(`/api/manuals/${id}`, { token: alice })).json();
    assert.equal(detail.quarantined, true);
    assert.match(detail.quarantine_reason, /JavaScript.*\/OpenAction/);
    const listed = (await (await t.request('/api/manuals', { token: alice })).json()).manuals.find((m: { id: string }) => m.id === id);
    assert.equal(listed.quarantined, true);

    const refused = await t.request(`/api/manuals/${id}/file`, { token: alice });
    assert.equal(refused.status, 403);
    const err = await refused.json();
    assert.equal(err.error_type, 'quarantined');
    assert.match(err.reason, /JavaScript/);

    // Derived from the text layer by us, without running anything: still served.
    const answer = await (await t.request('/api/query', { token: alice, json: { question: 'How do I restore the factory settings?' } })).json();
    assert.equal(answer.sources[0]?.manual_id, id);
    const png = await t.request(`/api/manuals/${id}/pages/1.png`, { token: alice });
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');

    // Isolation: another user sees nothing of it, and cannot review or release.
    assert.equal((await t.request(`/api/manuals/${id}`, { token: bob })).status, 404);
    assert.equal((await t.request(`/api/manuals/${id}/file`, { token: bob })).status, 404);
    assert.equal((await t.request('/api/admin/manuals/quarantined', { token: bob })).status, 403);
    assert.equal((await t.request(`/api/admin/manuals/${id}/release`, { token: alice, method: 'POST' })).status, 403);

    const queue = await (await t.request('/api/admin/manuals/quarantined', { token: admin })).json();
    assert.deepEqual(
      queue.manuals.map((m: { id: string; owner_id: string }) => m.id),
      [id],
    );
    assert.ok(queue.manuals[0].owner_id && queue.manuals[0].quarantine_reason);

    const released = await t.request(`/api/admin/manuals/${id}/release`, { token: admin, method: 'POST' });
    assert.equal(released.status, 200);
    assert.equal((await released.json()).quarantined, false);
    const file = await t.request(`/api/manuals/${id}/file`, { token: alice });
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), javascriptPdf());
    assert.equal((await t.request(`/api/admin/manuals/${id}/release`, { token: admin, method: 'POST' })).status, 404, 'nothing left to release');
  });

  it('does not quarantine a clean manual', async () => {
    const { manual_id: id, job_id } = await upload(bob, buildPdf([['Replace the toner cartridge when the light blinks.']]), 'printer.pdf');
    assert.equal((await t.waitForJob(bob, job_id)).status, 'completed');
    const detail = await (await t.request(`/api/manuals/${id}`, { token: bob })).json();
    assert.equal(detail.quarantined, false);
    assert.equal(detail.quarantine_reason, null);
    assert.equal((await t.request(`/api/manuals/${id}/file`, { token: bob })).status, 200);
  });

  it('fails a decompression bomb (a ~1 MB stream inflating to 1.1 GB) with a reason; the server stays healthy and the next upload works', async () => {
    const bomb = await decompressionBombPdf(1.1 * GiB);
    assert.ok(bomb.length < 2 * 1024 * 1024, `${bomb.length} bytes`);
    const { manual_id: id, job_id } = await upload(alice, bomb, 'bomb.pdf');
    const job = await t.waitForJob(alice, job_id);
    assert.equal(job.status, 'failed');
    assert.match(job.failure_reasons[0], /^pdf_bomb: .*inflates to more than/);
    assert.equal((await (await t.request(`/api/manuals/${id}`, { token: alice })).json()).error, 'pdf_bomb');

    assert.equal((await t.request('/health')).status, 200);
    const next = await upload(alice, buildPdf([['Clean the fan filter every month.']]), 'fan.pdf');
    assert.equal((await t.waitForJob(alice, next.job_id)).status, 'completed');
  });

  it('fails an object-count bomb (600,000 objects packed in one compressed stream)', async () => {
    const { job_id } = await upload(bob, objectBomb, 'objects.pdf');
    const job = await t.waitForJob(bob, job_id);
    assert.equal(job.status, 'failed');
    assert.match(job.failure_reasons[0], /^pdf_bomb: .*more than 500000 objects/);
    assert.equal((await t.request('/health')).status, 200);
  });
});

describe('API: MaxRequestSizeMB caps every non-upload body', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ parameters: { MaxRequestSizeMB: 1, MaxManualSizeMB: 5 } });
  });
  after(() => t.close());

  it('refuses a 2 MB JSON body to a non-upload route with 413, before reading it', async () => {
    const huge = { email: uniqueEmail(), password: 'correct horse battery', name: 'x'.repeat(2 * 1024 * 1024) };
    const res = await t.request('/api/auth/signup', { json: huge });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error_type, 'payload_too_large');
    const token = await t.signup();
    const body = JSON.stringify({ url: `https://example.com/${'a'.repeat(2 * 1024 * 1024)}` });
    // Streamed without a length: counted as it arrives, cut at the cap.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(body));
        c.close();
      },
    });
    const chunked = await fetch(`${t.url}/api/manuals/download`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
  });

  it('lets a normal body through, and an upload over 1 MB (its own cap, MaxManualSizeMB) too', async () => {
    const token = await t.signup();
    assert.equal((await t.request('/api/auth/login', { json: { email: uniqueEmail(), password: 'wrong password here' } })).status, 401);
    const pages = Array.from({ length: 100 }, (_, i) => [`Page ${i}: ${'Check the belt tension and the roller alignment. '.repeat(400)}`]);
    const pdf = buildPdf(pages);
    assert.ok(pdf.length > 1.5 * 1024 * 1024, `${pdf.length} bytes`);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'big.pdf');
    assert.equal((await t.request('/api/manuals/upload', { token, body: form })).status, 202);
  });
});
