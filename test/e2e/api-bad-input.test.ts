import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { buildPdf, corruptPdf, encryptedPdf, scannedPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MB = 1024 * 1024;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 7)]);
const textPdf = (word: string) =>
  buildPdf([
    [`Resetting the ${word} controller`, `Hold the reset button of the ${word} for ten seconds until the status lamp blinks amber.`],
    [`Cleaning the ${word}`, `Wipe the ${word} lens with a dry cloth once a month.`],
  ]);

const form = (file: Buffer, name: string, type = 'application/pdf') => {
  const f = new FormData();
  f.append('file', new Blob([new Uint8Array(file)], { type }), name);
  return f;
};

/** A raw HTTP upload that keeps streaming until the server answers; returns the status and bytes sent. */
function streamUntilAnswered(url: string, token: string, headers: Record<string, string>, maxBytes: number): Promise<{ status: number; sent: number; body: string }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(`${url}/api/manuals/upload`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, ...headers } });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, sent, body });
      });
    });
    req.on('error', (e) => (answered ? undefined : reject(e)));
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    chunk.write('%PDF-1.4\n');
    const pump = () => {
      while (!answered && sent < maxBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('API: bad input never breaks the server', () => {
  let t: TestServer;
  let token: string;
  let goodManualId: string;

  before(async () => {
    t = await startTestServer({ parameters: { MaxManualSizeMB: 0.5 } });
    token = await t.signup();
    const res = await t.request('/api/manuals/upload', { token, body: form(textPdf('router'), 'router.pdf') });
    const body = await res.json();
    goodManualId = body.manual_id;
    assert.equal((await t.waitForJob(token, body.job_id)).status, 'completed');
  });
  after(() => t.close());

  /** After every bad request: the server still answers health and a real question. */
  async function stillServing() {
    assert.equal((await t.request('/health')).status, 200);
    const q = await t.request('/api/query', { token, json: { question: 'How do I reset the router controller?' } });
    assert.equal(q.status, 200);
    const a = await q.json();
    assert.equal(a.sources[0]?.page_number, 1);
  }

  async function expectError(res: Response, status: number, type: string, field?: string) {
    const body = await res.json();
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error_type, type, JSON.stringify(body));
    if (field) assert.match(body.error, new RegExp(`^${field}:`), body.error);
    return body;
  }

  it('refuses a file that is not a PDF by its bytes, whatever its name (415)', async () => {
    await expectError(await t.request('/api/manuals/upload', { token, body: form(PNG, 'manual.pdf') }), 415, 'not_a_pdf');
    await expectError(
      await t.request('/api/manuals/upload', { token, json: { file_name: 'manual.pdf', file_data: PNG.toString('base64'), content_type: 'application/pdf' } }),
      415,
      'not_a_pdf',
    );
    await expectError(await t.request('/api/manuals/upload', { token, body: new Uint8Array(textPdf('x')), headers: { 'content-type': 'application/pdf' } }), 415, 'unsupported_media_type');
    assert.equal((await (await t.request('/api/manuals', { token })).json()).count, 1, 'nothing was created');
    await stillServing();
  });

  it('refuses an oversize upload (413) from its Content-Length, before reading the body', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(MB)]);
    const body = await expectError(await t.request('/api/manuals/upload', { token, body: form(big, 'big.pdf') }), 413, 'payload_too_large');
    assert.equal(body.details.limit_bytes, MB / 2);
    await expectError(
      await t.request('/api/manuals/upload', { token, json: { file_name: 'big.pdf', file_data: big.toString('base64') } }),
      413,
      'payload_too_large',
    );
    // A declared 200 MB body: the answer comes at once, though only 64 KB were sent.
    const declared = await streamUntilAnswered(t.url, token, { 'content-type': 'application/json', 'content-length': String(200 * MB) }, 64 * 1024);
    assert.equal(declared.status, 413);
    assert.ok(declared.sent <= 64 * 1024);
    await stillServing();
  });

  it('GET /api/limits tells a client the caps before it sends anything (signed-in users only)', async () => {
    const res = await t.request('/api/limits', { token });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { max_manual_bytes: MB / 2, max_audio_bytes: 25 * MB, max_request_bytes: MB });
    assert.equal((await t.request('/api/limits')).status, 401);
  });

  it('stops reading a chunked upload as soon as it passes the cap (413)', async () => {
    const r = await streamUntilAnswered(t.url, token, { 'content-type': 'multipart/form-data; boundary=xyz', 'transfer-encoding': 'chunked' }, 50 * MB);
    assert.equal(r.status, 413, r.body);
    assert.equal(JSON.parse(r.body).error_type, 'payload_too_large');
    assert.ok(r.sent < 8 * MB, `the server stopped the upload early (client sent ${r.sent} bytes of 50 MB)`);
    await stillServing();
  });

  it('fails corrupt, encrypted and text-less (scanned) PDFs with a reason, indexing nothing', async () => {
    for (const [pdf, reason] of [
      [corruptPdf(), 'invalid_pdf'],
      [encryptedPdf(), 'encrypted_pdf'],
      [scannedPdf(), 'no_text'],
    ] as const) {
      const res = await t.request('/api/manuals/upload', { token, body: form(pdf, `${reason}.pdf`) });
      assert.equal(res.status, 202);
      const { job_id, manual_id } = await res.json();
      const job = await t.waitForJob(token, job_id);
      assert.equal(job.status, 'failed');
      assert.ok(job.failure_reasons.some((r: string) => r.startsWith(reason)), JSON.stringify(job.failure_reasons));
      const m = await (await t.request(`/api/manuals/${manual_id}`, { token })).json();
      assert.equal(m.status, 'failed');
      assert.equal(m.error, reason);
      assert.equal(m.chunks, 0);
      const q = await (await t.request('/api/query', { token, json: { question: 'secret page', manual_ids: [manual_id] } })).json();
      assert.deepEqual(q.sources, [], 'nothing half-indexed');
    }
    await stillServing();
  });

  it('refuses empty, blank, missing, too long and mistyped questions (400)', async () => {
    await expectError(await t.request('/api/query', { token, json: { question: '' } }), 400, 'validation_error', 'question');
    await expectError(await t.request('/api/query', { token, json: { question: '   \n ' } }), 400, 'validation_error', 'question');
    await expectError(await t.request('/api/query', { token, json: {} }), 400, 'validation_error', 'question');
    await expectError(await t.request('/api/query', { token, json: { question: 'x'.repeat(1001) } }), 400, 'validation_error', 'question');
    await expectError(await t.request('/api/query', { token, json: { question: 42 } }), 400, 'validation_error', 'question');
    await expectError(await t.request('/api/query', { token, json: { question: 'ok?', manual_ids: 'abc' } }), 400, 'validation_error', 'manual_ids');
    await expectError(await t.request('/api/query', { token, method: 'POST' }), 400, 'validation_error', 'question');
    assert.equal((await t.request('/api/query', { token, json: { question: `reset router ${'y'.repeat(987)}` } })).status, 200, '1000 characters are fine');
    await stillServing();
  });

  it('answers malformed JSON with 400 malformed_json on every JSON route', async () => {
    for (const path of ['/api/query', '/api/manuals/upload', '/api/manuals/download', '/api/bootstrap', '/api/transcribe', '/api/auth/login']) {
      await expectError(await t.request(path, { token, body: '{"question": "unterminated', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
    }
    await expectError(await t.request('/api/manuals/upload', { token, json: { file_name: 'a.pdf', file_data: 'not*base64!' } }), 400, 'validation_error', 'file_data');
    await expectError(await t.request('/api/manuals/upload', { token, json: { file_data: 'JVBERi0=' } }), 400, 'validation_error', 'file_name');
    await expectError(await t.request('/api/manuals/upload', { token, body: form(Buffer.alloc(0), 'empty.pdf') }), 400, 'validation_error', 'file');
    await expectError(await t.request('/api/manuals/download', { token, json: { url: 42 } }), 400, 'validation_error', 'url');
    await expectError(await t.request('/api/bootstrap', { token, json: { action: 'explode' } }), 400, 'validation_error', 'action');
    await stillServing();
  });

  it('caps every other JSON body at MaxRequestSizeMB (413; default 1 MB), even on the sign-in routes', async () => {
    const huge = JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(1100 * 1024) });
    await expectError(await t.request('/api/auth/login', { body: huge, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
    await expectError(await t.request('/api/manuals/download', { token, body: huge, headers: { 'content-type': 'application/json' } }), 413, 'payload_too_large');
    await stillServing();
  });

  it('answers unknown ids with 404 on every route', async () => {
    const id = '00000000-0000-0000-0000-000000000000';
    await expectError(await t.request(`/api/manuals/${id}`, { token }), 404, 'not_found');
    await expectError(await t.request(`/api/manuals/${id}`, { token, method: 'DELETE' }), 404, 'not_found');
    await expectError(await t.request(`/api/manuals/${id}/file`, { token }), 404, 'not_found');
    await expectError(await t.request(`/api/manuals/${id}/pages/1.png`, { token }), 404, 'not_found');
    await expectError(await t.request(`/api/ingestion/status?job_id=${id}`, { token }), 404, 'not_found');
    await expectError(await t.request('/api/ingestion/status', { token }), 400, 'validation_error', 'job_id');
    await expectError(await t.request('/api/query', { token, json: { question: 'reset?', manual_ids: [goodManualId, id] } }), 404, 'not_found');
    await stillServing();
  });
});
