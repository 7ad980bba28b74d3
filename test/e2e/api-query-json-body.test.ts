import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Raw HTTP, to control Content-Length, chunking and aborts exactly. */
function post(url: string, token: string, body: Buffer, headers: Record<string, string>, opts: { chunked?: boolean; abortAfter?: number } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(`${url}/api/query`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}`, ...headers } });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    if (opts.abortAfter !== undefined) {
      req.write(body.subarray(0, opts.abortAfter));
      setTimeout(() => {
        req.destroy();
        resolve({ status: 0, body: '' });
      }, 50);
      return;
    }
    if (opts.chunked) {
      req.write(body.subarray(0, 5));
      setTimeout(() => req.end(body.subarray(5)), 20);
    } else req.end(body);
  });
}

describe('POST /api/query reads its JSON body straight from the socket (hot path)', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer({ parameters: { MaxAudioSizeMB: 0.01 } });
    token = await t.signup();
  });
  after(() => t.close());

  const json = (s: string) => ({ 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(s)) });

  it('answers a typed question, UTF-8 and a leading BOM decoded as Request.text() would', async () => {
    const body = JSON.stringify({ question: 'Wie öffne ich die Tür?' });
    const ok = await post(t.url, token, Buffer.from(body), json(body));
    assert.equal(ok.status, 200, ok.body);
    assert.equal(JSON.parse(ok.body).question, 'Wie öffne ich die Tür?');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
    const withBom = await post(t.url, token, bom, { 'content-type': 'application/json', 'content-length': String(bom.length) });
    assert.equal(withBom.status, 200, withBom.body);
  });

  it('refuses malformed JSON (400) and a declared body over the cap (413) without reading it', async () => {
    const bad = '{"question": "unterminated';
    const r = await post(t.url, token, Buffer.from(bad), json(bad));
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).error_type, 'malformed_json');
    const huge = JSON.stringify({ question: 'x'.repeat(200_000) });
    const over = await post(t.url, token, Buffer.from(huge), json(huge));
    assert.equal(over.status, 413);
    assert.equal(JSON.parse(over.body).error_type, 'payload_too_large');
  });

  it('still takes a chunked body (the capped path), and a client that hangs up mid-body harms nothing', async () => {
    const body = JSON.stringify({ question: 'How do I reset it?' });
    const chunked = await post(t.url, token, Buffer.from(body), { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, { chunked: true });
    assert.equal(chunked.status, 200, chunked.body);
    await post(t.url, token, Buffer.from(body), json(body), { abortAfter: 5 });
    const after = await post(t.url, token, Buffer.from(body), json(body));
    assert.equal(after.status, 200, 'the server goes on answering');
  });
});
