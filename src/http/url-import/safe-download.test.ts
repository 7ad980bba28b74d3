import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundHttp } from '../../adapters/http/outbound-http.js';
import { isManuelError } from '../../core/errors.js';
import { safeDownload } from './safe-download.js';

const code = (e: unknown) => (isManuelError(e) ? e.code : String(e));
const PDF = Buffer.from('%PDF-1.4\n% fake but magic-bytes-correct\n%%EOF\n');

describe('safeDownload', () => {
  let server: http.Server;
  let base: string;
  let connections = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      const u = new URL(req.url!, 'http://x');
      if (u.pathname === '/manual.pdf') {
        res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="Printer Guide.pdf"' });
        return res.end(PDF);
      }
      if (u.pathname === '/hop') {
        const n = Number(u.searchParams.get('n'));
        res.writeHead(302, { location: n > 0 ? `/hop?n=${n - 1}` : '/manual.pdf' });
        return res.end();
      }
      if (u.pathname === '/to-metadata') {
        res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' });
        return res.end();
      }
      if (u.pathname === '/big') {
        res.writeHead(200, { 'content-type': 'application/pdf' }); // chunked: no Content-Length
        const chunk = Buffer.alloc(64 * 1024, 65);
        let sent = 0;
        const pump = () => {
          while (sent < 50 && res.write(chunk)) sent++;
          if (sent < 50) res.once('drain', pump);
          else res.end();
        };
        return pump();
      }
      if (u.pathname === '/declared-big') {
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        return res.end(); // lies; must be refused before reading
      }
      if (u.pathname === '/slow') return void setTimeout(() => res.end(PDF), 3000);
      res.writeHead(404);
      res.end();
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const allow = { maxBytes: 1024 * 1024, allowPrivate: true };

  it('downloads through redirects and takes the file name from Content-Disposition', async () => {
    const d = await safeDownload(`${base}/hop?n=3`, allow);
    assert.deepEqual(d.data, PDF);
    assert.equal(d.fileName, 'Printer Guide.pdf');
    assert.match(d.finalUrl, /\/manual\.pdf$/);
  });

  it('refuses loopback, private and metadata addresses by default, also by host name and via redirect', async () => {
    const deny = { maxBytes: 1024 * 1024, allowPrivate: false };
    for (const url of [`${base}/manual.pdf`, 'http://10.0.0.1/x.pdf', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]/x.pdf', 'http://[fd00:ec2::254]/']) {
      await assert.rejects(safeDownload(url, deny), (e) => code(e) === 'url_not_allowed', url);
    }
    const port = new URL(base).port;
    await assert.rejects(safeDownload(`http://localhost:${port}/manual.pdf`, deny), (e) => code(e) === 'url_not_allowed');
    // A policy that lets this test reach 127.0.0.1 shows the redirect target is checked again.
    const onlyThisHost = { ...deny, addressAllowed: (ip: string) => ip === '127.0.0.1' };
    assert.deepEqual((await safeDownload(`${base}/hop?n=1`, onlyThisHost)).data, PDF);
    await assert.rejects(safeDownload(`${base}/to-metadata`, onlyThisHost), (e) => code(e) === 'url_not_allowed' && /169\.254\.169\.254/.test((e as Error).message));
  });

  it('refuses non-http schemes and URLs with credentials', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/a.pdf', 'gopher://x', 'http://user:pw@example.com/a.pdf', 'not a url']) {
      await assert.rejects(safeDownload(url, allow), (e) => code(e) === 'url_not_allowed', url);
    }
  });

  it('stops after too many redirects, on HTTP errors, past the size cap and at the deadline', async () => {
    await assert.rejects(safeDownload(`${base}/hop?n=9`, allow), (e) => code(e) === 'download_failed' && /redirect/.test((e as Error).message));
    await assert.rejects(safeDownload(`${base}/missing`, allow), (e) => code(e) === 'download_failed' && /404/.test((e as Error).message));
    await assert.rejects(safeDownload(`${base}/big`, allow), (e) => code(e) === 'payload_too_large');
    await assert.rejects(safeDownload(`${base}/declared-big`, allow), (e) => code(e) === 'payload_too_large');
    await assert.rejects(safeDownload(`${base}/slow`, { ...allow, timeoutMs: 300 }), (e) => code(e) === 'download_failed' && /longer/.test((e as Error).message));
  });

  it('with keep-alive agents (EnablePerformanceOptimization): reuses one socket, and the address guard still holds', async () => {
    const outbound = createOutboundHttp({ MaxConnections: 4, MaxIdleConnections: 2, ConnectionTimeout: 1000, ReadTimeout: 5000 });
    try {
      const before = connections;
      for (let i = 0; i < 3; i++) assert.deepEqual((await safeDownload(`${base}/hop?n=2`, { ...allow, agents: outbound.agents })).data, PDF);
      const used = connections - before;
      assert.ok(used <= 2, `nine requests (three downloads of three hops) over ${used} kept-alive sockets`);
      const deny = { maxBytes: 1024 * 1024, allowPrivate: false, agents: outbound.agents };
      const port = new URL(base).port;
      await assert.rejects(safeDownload(`http://localhost:${port}/manual.pdf`, deny), (e) => code(e) === 'url_not_allowed');
      await assert.rejects(safeDownload(`${base}/manual.pdf`, deny), (e) => code(e) === 'url_not_allowed');
    } finally {
      await outbound.close();
    }
  });
});
