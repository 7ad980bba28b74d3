import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import { ConfigStore } from './config-store.js';

const body = async (req: IncomingMessage) => {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

describe('ApiClient.uploadManual', () => {
  let dir = '';
  let file = '';
  const data = Buffer.from('%PDF-1.4 a manual for the client test');
  const seen: string[] = [];
  let mode: 'old' | 'direct' | 'refusing-storage' = 'old';
  let server: Server;
  let base = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-cli-upload-'));
    file = join(dir, 'm.pdf');
    writeFileSync(file, data);
    server = createServer(async (req, res) => {
      const b = await body(req);
      seen.push(`${req.method} ${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      const json = (status: number, v: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (req.url === '/api/manuals/uploads' && mode === 'old') return json(404, { error: 'Not found', error_type: 'not_found' });
      if (req.url === '/api/manuals/uploads') {
        const start = JSON.parse(b.toString()) as { size: number; sha256: string; filename: string };
        assert.equal(start.size, data.length);
        assert.equal(start.sha256, createHash('sha256').update(data).digest('hex'));
        return json(201, { upload_id: 'u1', url: `${base}/storage/u1?sig=x`, method: 'PUT', headers: { 'Content-Type': 'application/pdf' }, expires_at: new Date().toISOString(), max_bytes: 100 });
      }
      if (req.url?.startsWith('/storage/')) {
        if (mode === 'refusing-storage') return res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
        assert.deepEqual(b, data);
        return res.writeHead(200).end();
      }
      if (req.url === '/api/manuals/uploads/u1/complete' || req.url === '/api/manuals/upload') return json(202, { manual_id: 'm1', job_id: 'j1', status: 'queued', duplicate: false, name: 'm.pdf', size: data.length });
      json(500, { error: 'unexpected', error_type: 'internal_error' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = () => {
    const store = new ConfigStore({ MANUEL_CONFIG_DIR: join(dir, 'config') });
    store.update((c) => void (c.sessions[base] = { email: 'a@example.test', access_token: 't', refresh_token: 'r', id_token: 'i', expires_at: Date.now() + 3_600_000 }));
    return new ApiClient(base, store);
  };
  const file0 = () => ({ field: 'file', path: file, fileName: 'm.pdf', contentType: 'application/pdf', size: data.length });

  it('an older server (404 on the start) gets the multipart upload', async () => {
    mode = 'old';
    seen.length = 0;
    const r = await client().uploadManual<{ manual_id: string }>(file0(), {}, () => {});
    assert.equal(r.manual_id, 'm1');
    assert.deepEqual(seen, ['POST /api/manuals/uploads auth=yes', 'POST /api/manuals/upload auth=yes']);
  });

  it('a direct upload: start, PUT to the url without our credentials, complete', async () => {
    mode = 'direct';
    seen.length = 0;
    const progress: number[] = [];
    await client().uploadManual(file0(), {}, (sent) => progress.push(sent));
    assert.deepEqual(seen, ['POST /api/manuals/uploads auth=yes', 'PUT /storage/u1?sig=x auth=no', 'POST /api/manuals/uploads/u1/complete auth=yes']);
    assert.equal(progress.at(-1), data.length);
  });

  it("storage's refusal is one clear error with its code, and nothing is completed", async () => {
    mode = 'refusing-storage';
    seen.length = 0;
    await assert.rejects(client().uploadManual(file0(), {}, () => {}), (e: unknown) => e instanceof CliError && /AccessDenied: Request has expired/.test(e.message));
    assert.equal(seen.some((s) => s.includes('complete')), false);
  });
});
