import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ResiliencePolicy } from '../../adapters/resilience/resilience-policy.js';
import { urlImportPolicy } from '../../adapters/resilience/resilience-setup.js';
import { isManuelError } from '../../core/errors.js';
import { safeDownload, type DownloadOptions } from './safe-download.js';

const PDF = Buffer.from('%PDF-1.4\n% retried\n%%EOF\n');
const code = (e: unknown) => (isManuelError(e) ? e.code : String(e));

describe('URL import retries (EnableAdvancedErrorHandling): transient failures only', () => {
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();
  before(async () => {
    server = http.createServer((req, res) => {
      const path = new URL(req.url!, 'http://x').pathname;
      const n = (hits.get(path) ?? 0) + 1;
      hits.set(path, n);
      const failing = (status: number, times: number) => {
        if (n <= times) return void res.writeHead(status).end('try later');
        res.writeHead(200, { 'content-type': 'application/pdf' }).end(PDF);
      };
      if (path === '/503-twice') return failing(503, 2);
      if (path === '/429-once') return failing(429, 1);
      if (path === '/always-500') return failing(500, 99);
      if (path === '/reset-once') return n === 1 ? void req.socket.destroy() : failing(200, 0);
      if (path === '/404') return void res.writeHead(404).end();
      if (path === '/403') return void res.writeHead(403).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const policy = new ResiliencePolicy(urlImportPolicy({ MaxRetryAttempts: 3, BaseRetryDelay: 5, MaxRetryDelay: 20 }));
  const opts = (extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
    maxBytes: 1 << 20,
    allowPrivate: true,
    attempts: (attempt, signal) => policy.execute(attempt, signal),
    ...extra,
  });

  it('retries 5xx, 429 and a dropped connection, and gets the file', async () => {
    for (const [path, calls] of [['/503-twice', 3], ['/429-once', 2], ['/reset-once', 2]] as const) {
      const got = await safeDownload(`${base}${path}`, opts());
      assert.deepEqual(got.data, PDF, path);
      assert.equal(hits.get(path), calls, path);
    }
  });

  it('gives up after MaxRetryAttempts with the last error', async () => {
    await assert.rejects(safeDownload(`${base}/always-500`, opts()), (e) => code(e) === 'download_failed' && /500/.test((e as Error).message));
    assert.equal(hits.get('/always-500'), 3);
  });

  it('never retries a 4xx', async () => {
    for (const path of ['/404', '/403']) {
      await assert.rejects(safeDownload(`${base}${path}`, opts()), (e) => code(e) === 'download_failed');
      assert.equal(hits.get(path), 1, path);
    }
  });

  it('never retries an SSRF refusal (the address is refused before any attempt and on a redirect)', async () => {
    let attempts = 0;
    const counting = opts({ allowPrivate: false, attempts: (attempt, signal) => policy.execute((s) => (attempts++, attempt(s)), signal) });
    await assert.rejects(safeDownload(`${base}/503-twice`, counting), (e) => code(e) === 'url_not_allowed');
    await assert.rejects(safeDownload('http://169.254.169.254/latest/meta-data/', counting), (e) => code(e) === 'url_not_allowed');
    assert.equal(attempts, 0, 'a literal private address is refused before the first attempt');
    await assert.rejects(safeDownload('http://localhost:9/x.pdf', counting), (e) => code(e) === 'url_not_allowed');
    assert.equal(attempts, 1, 'a name resolving to a private address: refused in the attempt, not retried');
  });

  it('retries a refused connection, all attempts within the one deadline', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    let attempts = 0;
    const counting = opts({ attempts: (attempt, signal) => policy.execute((s) => (attempts++, attempt(s)), signal) });
    await assert.rejects(safeDownload(`http://127.0.0.1:${port}/x.pdf`, counting), (e) => code(e) === 'download_failed' && (e as { details?: { cause?: string } }).details?.cause === 'ECONNREFUSED');
    assert.equal(attempts, 3);

    const slowPolicy = new ResiliencePolicy(urlImportPolicy({ MaxRetryAttempts: 10, BaseRetryDelay: 5000, MaxRetryDelay: 5000 }));
    const t = performance.now();
    await assert.rejects(
      safeDownload(`${base}/always-500`, opts({ timeoutMs: 300, attempts: (attempt, signal) => slowPolicy.execute(attempt, signal) })),
      (e) => code(e) === 'download_failed' && /longer than/.test((e as Error).message),
    );
    assert.ok(performance.now() - t < 2000, 'the deadline cut the back-off short');
  });
});
