import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import http from 'node:http';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Raw GET (fetch would transparently decompress, hiding whether the server compressed). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      })
      .on('error', reject);
  });
}

describe('API server: the built web app at /', () => {
  let t: TestServer;
  let webDir: string;
  const script = `console.log(${JSON.stringify('manuel '.repeat(400))});`;

  before(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'manuel-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Manuel</title><script type="module" src="/assets/app-1234.js"></script>');
    writeFileSync(join(webDir, 'assets', 'app-1234.js'), script);
    // As web/scripts/precompress.mjs leaves them after the build.
    writeFileSync(join(webDir, 'assets', 'pre-5678.js'), script);
    writeFileSync(join(webDir, 'assets', 'pre-5678.js.br'), brotliCompressSync(script));
    writeFileSync(join(webDir, 'assets', 'pre-5678.js.gz'), gzipSync(script));
    t = await startTestServer({ webDir });
  });
  after(async () => {
    await t.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, assets gzipped and cached for good', async () => {
    for (const path of ['/', '/manuals/abc', '/ask?q=1']) {
      const res = await t.request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /<title>Manuel<\/title>/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
    }
    const asset = await rawGet(`${t.url}/assets/app-1234.js`, { 'accept-encoding': 'gzip' });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['content-encoding'], 'gzip');
    assert.match(asset.headers['cache-control'] ?? '', /immutable/);
    assert.equal(gunzipSync(asset.body).toString(), script);
    assert.ok(asset.body.length < script.length / 4);
  });

  it('sends the precompressed brotli file with Vary and a strong ETag; If-None-Match gets 304 without the body', async () => {
    const url = `${t.url}/assets/pre-5678.js`;
    const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(br.headers.vary ?? '', /accept-encoding/i);
    assert.equal(brotliDecompressSync(br.body).toString(), script);
    const etag = br.headers.etag!;
    assert.match(etag, /^"[^"]+"$/, 'strong: the bytes sent are the file on disk');

    const again = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br', 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    assert.match(again.headers['cache-control'] ?? '', /immutable/);

    const gz = await rawGet(url, { 'accept-encoding': 'gzip', 'if-none-match': etag });
    assert.equal(gz.status, 200, 'the gzip variant is another representation: the brotli ETag does not match it');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), script);
    assert.notEqual(gz.headers.etag, etag);
  });

  it('revalidates index.html (no-cache) with its ETag', async () => {
    const first = await rawGet(`${t.url}/`);
    assert.ok(first.headers.etag);
    const second = await rawGet(`${t.url}/manuals/abc`, { 'if-none-match': first.headers.etag! });
    assert.equal(second.status, 304);
    assert.equal(second.headers['cache-control'], 'no-cache');
    const changed = await rawGet(`${t.url}/`, { 'if-none-match': '"something-else"' });
    assert.equal(changed.status, 200);
    assert.match(changed.body.toString(), /<title>Manuel/);
  });

  it('keeps API and missing assets as JSON 404s, never the app shell', async () => {
    assert.equal((await t.request('/assets/nope.js')).status, 404);
    const token = await t.signup();
    const api = await t.request('/api/nope', { token });
    assert.equal(api.status, 404);
    assert.equal((await api.json()).error_type, 'not_found');
    assert.equal((await t.request('/health')).status, 200);
    assert.equal((await t.request('/api/docs')).status, 200);
    const post = await t.request('/somewhere', { method: 'POST', json: {} });
    assert.equal(post.status, 404);
  });
});
