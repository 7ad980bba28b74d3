import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer } from '../helpers/server.js';

const pdf = buildPdf([['Firmware update', 'Hold the mode key while powering on to enter the firmware update screen.']]);

describe('API: URL import through a flaky server', () => {
  let files: http.Server;
  let base: string;
  const hits = new Map<string, number>();
  before(async () => {
    // Each path answers 503 twice, then the PDF.
    files = http.createServer((req, res) => {
      const n = (hits.get(req.url!) ?? 0) + 1;
      hits.set(req.url!, n);
      if (n <= 2) return void res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  after(() => {
    files.closeAllConnections();
    files.close();
  });

  for (const enabled of [true, false]) {
    it(`EnableAdvancedErrorHandling ${enabled ? 'on: retried, imported' : 'off: one attempt, 422 download_failed'}`, async () => {
      const t = await startTestServer({ parameters: { EnableAdvancedErrorHandling: enabled, AllowPrivateUrls: true, BaseRetryDelay: 10, MaxRetryDelay: 50 } });
      try {
        const token = await t.signup();
        const path = `/guide-${enabled}.pdf`;
        const res = await t.request('/api/manuals/download', { token, json: { url: `${base}${path}` } });
        const body = (await res.json()) as Record<string, any>;
        if (enabled) {
          assert.equal(res.status, 202, JSON.stringify(body));
          assert.equal(hits.get(path), 3);
          assert.equal((await t.waitForJob(token, body.job_id)).status, 'completed');
        } else {
          assert.equal(res.status, 422);
          assert.equal(body.error_type, 'download_failed');
          assert.deepEqual(body.details, { upstream_status: 503 });
          assert.equal(hits.get(path), 1);
        }
      } finally {
        await t.close();
      }
    });
  }
});
