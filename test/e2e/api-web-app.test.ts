import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
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
