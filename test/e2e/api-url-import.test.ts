import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const pdf = buildPdf([['Firmware update', 'Hold the mode key while powering on to enter the firmware update screen.']]);

describe('API: import a manual from a URL', () => {
  let files: http.Server;
  let base: string;
  before(async () => {
    files = http.createServer((req, res) => {
      if (req.url === '/guide.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Router Guide.pdf"' });
        return res.end(pdf);
      }
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/guide.pdf' });
        return res.end();
      }
      if (req.url === '/page.html') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>not a pdf</html>');
      }
      if (req.url === '/huge.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf' });
        res.write('%PDF-1.4\n');
        const chunk = Buffer.alloc(64 * 1024);
        let n = 0;
        const pump = () => {
          while (n++ < 40) if (!res.write(chunk)) return void res.once('drain', pump);
          res.end();
        };
        return pump();
      }
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  after(() => {
    files.closeAllConnections();
    files.close();
  });

  it('refuses loopback, private, link-local/metadata addresses and non-http schemes by default', async () => {
    const t = await startTestServer();
    try {
      const token = await t.signup();
      const port = new URL(base).port;
      for (const url of [
        `${base}/guide.pdf`,
        `http://localhost:${port}/guide.pdf`,
        'http://10.0.0.8/manual.pdf',
        'http://192.168.1.1/manual.pdf',
        'http://169.254.169.254/latest/meta-data/',
        'http://[::1]/manual.pdf',
        'http://[fd00:ec2::254]/latest/meta-data/',
        'file:///etc/passwd',
        'ftp://example.com/manual.pdf',
      ]) {
        const res = await t.request('/api/manuals/download', { token, json: { url } });
        const body = await res.json();
        assert.equal(res.status, 400, `${url}: ${JSON.stringify(body)}`);
        assert.equal(body.error_type, 'url_not_allowed', url);
      }
      assert.equal((await (await t.request('/api/manuals', { token })).json()).count, 0);
    } finally {
      await t.close();
    }
  });

  it('imports from a local server when AllowPrivateUrls is true, following redirects, size-capped', async () => {
    const t = await startTestServer({ parameters: { AllowPrivateUrls: true, MaxManualSizeMB: 1 } });
    try {
      const token = await t.signup();
      const res = await t.request('/api/manuals/download', { token, json: { url: `${base}/moved` } });
      assert.equal(res.status, 202);
      const body = await res.json();
      assert.equal(body.name, 'Router Guide.pdf');
      assert.equal((await t.waitForJob(token, body.job_id)).status, 'completed');
      const detail = await (await t.request(`/api/manuals/${body.manual_id}`, { token })).json();
      assert.equal(detail.source, 'url');
      const answer = await (await t.request('/api/query', { token, json: { question: 'How do I enter the firmware update screen?' } })).json();
      assert.equal(answer.sources[0].manual_id, body.manual_id);

      const named = await (await t.request('/api/manuals/download', { token, json: { url: `${base}/guide.pdf`, filename: 'mine.pdf' } })).json();
      assert.equal(named.duplicate, true);

      const html = await t.request('/api/manuals/download', { token, json: { url: `${base}/page.html` } });
      assert.equal(html.status, 415);
      assert.equal((await html.json()).error_type, 'not_a_pdf');
      const missing = await t.request('/api/manuals/download', { token, json: { url: `${base}/nope.pdf` } });
      assert.equal(missing.status, 422);
      assert.equal((await missing.json()).error_type, 'download_failed');
      const huge = await t.request('/api/manuals/download', { token, json: { url: `${base}/huge.pdf` } });
      assert.equal(huge.status, 413);
    } finally {
      await t.close();
    }
  });
});
