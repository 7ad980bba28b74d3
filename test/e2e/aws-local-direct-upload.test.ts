/**
 * Direct uploads and downloads on aws:local (ADR 0030): its local API Gateway refuses a request body
 * over 10 MB and a Lambda response over 6 MB, like AWS. The `manuel` CLI uploads a 30 MB PDF through a
 * presigned S3 PUT (s3rver), ProcessManual ingests it, and GET /file answers 302 to a presigned S3 GET
 * that returns the same bytes. Refusals at completion leave no staged object.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { LOCAL_CREDENTIALS } from '../../src/entry/aws-local-emulators.js';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { bigPdf, buildPdf } from '../helpers/api-pdfs.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { repoRoot } from '../helpers/eval-manuals.js';
import { runCommand } from '../helpers/run-command.js';

const skip = motoSkip();
const MB = 1024 * 1024;
const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const password = 'correct horse battery';

describe('direct upload and download on aws:local', { skip, concurrency: false }, () => {
  let local: AwsLocal;
  let s3: S3Client;
  let root = '';
  const tokens = { a: '', b: '' };
  let manualId = '';
  const pdf = bigPdf(30 * MB, [['Hoverboard manual'], ['The hoverboard does not work on water unless you have power.']]);

  const call = async (path: string, o: { token?: string; json?: unknown; method?: string; redirect?: RequestRedirect } = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(local.url + path, { method: o.method ?? (o.json !== undefined ? 'POST' : 'GET'), headers, body: o.json !== undefined ? JSON.stringify(o.json) : undefined, redirect: o.redirect });
  };
  const stagedKeys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: local.services.config.buckets.manuals, Prefix: 'uploads/' }))).Contents ?? []).map((o) => o.Key!);
  const start = async (token: string, body: Record<string, unknown>) => {
    const res = await call('/api/manuals/uploads', { token, json: body });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const complete = async (token: string, id: string) => {
    const res = await call(`/api/manuals/uploads/${id}/complete`, { token, method: 'POST' });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'manuel-aws-direct-'));
    local = await startAwsLocal({ port: 0, models: { embedder: null, transcriber: null }, scheduleMs: 0, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
    s3 = new S3Client(clientConfig({ region: 'us-east-1', endpoints: { s3: local.endpoints!.s3! }, credentials: LOCAL_CREDENTIALS }, 's3'));
  });
  after(async () => {
    s3?.destroy();
    await local?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the CLI uploads a 30 MB PDF past the 10 MB API Gateway limit; it is ingested and searchable', async () => {
    const file = join(root, 'hoverboard.pdf');
    writeFileSync(file, pdf);
    const env = { ...process.env, MANUEL_CONFIG_DIR: join(root, 'config'), MANUEL_SERVER: '' };
    const manuel = (args: string[]) => runCommand(process.execPath, [join(repoRoot, 'bin', 'manuel.js'), '--server', local.url, ...args], env, '');
    const email = `direct-a-${Date.now()}@example.test`;
    const signup = await manuel(['signup', '--email', email, '--password', password]);
    assert.equal(signup.code, 0, signup.stderr);
    const up = await manuel(['upload', file]);
    assert.equal(up.code, 0, up.stderr);
    const m = /hoverboard\.pdf: completed \(pages 2, .*\) — manual (\S+?)\r?\n/.exec(up.stdout);
    assert.ok(m, up.stdout);
    manualId = m[1]!;
    const ask = await manuel(['ask', '--json', 'Does the hoverboard work on water?']);
    assert.equal(ask.code, 0, ask.stderr);
    assert.equal(JSON.parse(ask.stdout).sources[0].manual_id, manualId);
    const login = await call('/api/auth/login', { json: { email, password } });
    assert.equal(login.status, 200);
    tokens.a = ((await login.json()) as { access_token: string }).access_token;
    assert.deepEqual(await stagedKeys(), []);
  });

  it('the same file through the multipart route is refused by the local API Gateway (the limit the flow avoids)', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'hoverboard.pdf');
    const res = await fetch(`${local.url}/api/manuals/upload`, { method: 'POST', headers: { authorization: `Bearer ${tokens.a}` }, body: form });
    assert.equal(res.status, 413);
  });

  it('GET /file answers 302 to a short-lived presigned S3 GET whose bytes are the upload, byte for byte', async () => {
    const redirect = await call(`/api/manuals/${manualId}/file`, { token: tokens.a, redirect: 'manual' });
    assert.equal(redirect.status, 302);
    const location = new URL(redirect.headers.get('location')!);
    assert.equal(location.origin, local.endpoints!.s3);
    assert.equal(location.searchParams.get('X-Amz-Expires'), '300');
    assert.match(location.searchParams.get('response-content-disposition')!, /^attachment; filename="hoverboard\.pdf"/);
    const followed = await call(`/api/manuals/${manualId}/file`, { token: tokens.a });
    assert.equal(followed.status, 200);
    assert.match(followed.headers.get('content-disposition') ?? '', /hoverboard\.pdf/);
    assert.equal(sha(new Uint8Array(await followed.arrayBuffer())), sha(pdf));
  });

  it("another user can neither download the manual nor complete someone else's upload", async () => {
    const res = await call('/api/auth/signup', { json: { email: `direct-b-${Date.now()}@example.test`, password } });
    assert.equal(res.status, 201);
    tokens.b = ((await res.json()) as { access_token: string }).access_token;
    assert.equal((await call(`/api/manuals/${manualId}/file`, { token: tokens.b, redirect: 'manual' })).status, 404);
    const small = buildPdf([['A private page about flux capacitors.']]);
    const s = await start(tokens.a, { filename: 'private.pdf', size: small.length });
    assert.equal(s.status, 201);
    assert.equal((await fetch(s.body.url, { method: 'PUT', headers: s.body.headers, body: new Uint8Array(small) })).status, 200);
    assert.equal((await complete(tokens.b, s.body.upload_id)).status, 404);
    assert.equal((await complete(tokens.a, s.body.upload_id)).status, 202);
    assert.deepEqual(await stagedKeys(), []);
  });

  it('a PUT longer than declared: refused at completion (413 payload_too_large) and the staged object is deleted', async () => {
    // Real S3 refuses this PUT itself (content-length is signed: s3-presigner.test.ts); s3rver does not check signatures.
    const small = buildPdf([['Declared size page.']]);
    const s = await start(tokens.a, { filename: 'longer.pdf', size: small.length });
    const put = await fetch(s.body.url, { method: 'PUT', headers: s.body.headers, body: new Uint8Array(Buffer.concat([small, Buffer.alloc(10_000, 0x20)])) });
    assert.equal(put.status, 200);
    const c = await complete(tokens.a, s.body.upload_id);
    assert.equal(c.status, 413, JSON.stringify(c.body));
    assert.equal(c.body.error_type, 'payload_too_large');
    assert.deepEqual(await stagedKeys(), []);
  });

  it('complete with a non-PDF: 415 not_a_pdf and the staged object is gone', async () => {
    const fake = Buffer.from('<html>not a manual</html>'.repeat(50));
    const s = await start(tokens.a, { filename: 'manual.pdf', size: fake.length });
    assert.equal((await fetch(s.body.url, { method: 'PUT', headers: s.body.headers, body: new Uint8Array(fake) })).status, 200);
    assert.ok((await stagedKeys()).includes(`uploads/${s.body.upload_id}.pdf`));
    const c = await complete(tokens.a, s.body.upload_id);
    assert.equal(c.status, 415);
    assert.equal(c.body.error_type, 'not_a_pdf');
    assert.deepEqual(await stagedKeys(), []);
  });
});
