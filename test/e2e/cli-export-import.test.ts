import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import { startServer } from '../../src/entry/server.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { runManuel, succeeded } from '../helpers/run-command.js';

/**
 * `manuel export` from one embedded deployment and `manuel import --in` into another (two real
 * servers, two data directories): accounts with their passwords, manuals re-ingested and searchable,
 * usage history; a second import adds nothing; a tampered archive is refused before anything is written.
 */

const PASSWORD = 'correct horse battery';
let root: string;
let a: { url: string; close(): Promise<void> };
let b: { url: string; close(): Promise<void> };
const tokens: Record<string, string> = {};

async function start(name: string, adminEmail: string, extra: Record<string, unknown> = {}) {
  const config = loadEmbeddedConfig(
    { PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: join(root, name), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    { EmbeddingWorkers: 0, AdminEmail: adminEmail, EnableAdvancedErrorHandling: true, ...extra },
  );
  return startServer(config);
}

async function call(base: string, path: string, init: { token?: string; json?: unknown; body?: FormData; method?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${base}${path}`, {
    method: init.method ?? (init.json !== undefined || init.body ? 'POST' : 'GET'),
    headers,
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body ? { body: init.body } : {}),
  });
}

async function okJson<T = any>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  assert.ok(r.ok, `${r.status} ${text}`);
  return JSON.parse(text) as T;
}

const signup = async (base: string, email: string) =>
  (await okJson<{ access_token: string }>(call(base, '/api/auth/signup', { json: { email, password: PASSWORD } }))).access_token;
const login = (base: string, email: string, password = PASSWORD) => call(base, '/api/auth/login', { json: { email, password } });

async function upload(base: string, token: string, pdf: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), name);
  return (await okJson<{ manual_id: string }>(call(base, '/api/manuals/upload', { token, body: form }))).manual_id;
}

async function waitCompleted(base: string, token: string, manualId: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const m = await okJson<{ status: string }>(call(base, `/api/manuals/${manualId}`, { token }));
    if (m.status === 'completed') return;
    assert.notEqual(m.status, 'failed');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`manual ${manualId} not completed in 15 s`);
}

const manuel = (args: string[]) => runManuel(args, { configDir: join(root, 'cli') });

const exportOf = (base: string) => okJson(call(base, '/api/admin/export', { token: tokens.rootB }));
const counts = (e: any) => ({ users: e.users.length, manuals: e.manuals.length, usage: e.usage.length });

const toaster = buildPdf([['Toaster manual', 'To descale the toaster, hold the crumb tray lever for five seconds.'], ['Warranty: two years.']]);
const router = buildPdf([['Router guide', 'Press the reset button for ten seconds to restore the factory settings.']]);

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'manuel-export-'));
  [a, b] = await Promise.all([start('a', 'root@a.example'), start('b', 'root@b.example')]);
  tokens.rootA = await signup(a.url, 'root@a.example');
  tokens.ann = await signup(a.url, 'ann@example.com');
  tokens.bob = await signup(a.url, 'bob@example.com');
  tokens.rootB = await signup(b.url, 'root@b.example');
  const ids = [await upload(a.url, tokens.ann, toaster, 'toaster.pdf'), await upload(a.url, tokens.bob, router, 'router.pdf'), await upload(a.url, tokens.bob, toaster, 'toaster.pdf')];
  await Promise.all([waitCompleted(a.url, tokens.ann, ids[0]!), waitCompleted(a.url, tokens.bob, ids[1]!), waitCompleted(a.url, tokens.bob, ids[2]!)]);
  const answer = await okJson(call(a.url, '/api/query', { token: tokens.ann, json: { question: 'How do I descale the toaster?' } }));
  assert.equal(answer.sources[0]?.manual_name, 'toaster.pdf');
  await okJson(call(a.url, '/api/keys', { token: tokens.ann, json: { name: 'laptop' } }));
});

after(async () => {
  await Promise.all([a?.close(), b?.close()]);
  rmSync(root, { recursive: true, force: true });
});

describe('manuel export / manuel import --in', { concurrency: false }, () => {
  const dir = () => join(root, 'archive');

  test('a non-admin gets 403 on every export and import route', async () => {
    for (const [path, init] of [
      ['/api/admin/export', {}],
      ['/api/admin/export/manuals/x/file?owner_id=y', {}],
      ['/api/admin/import/users', { json: { users: [] } }],
      ['/api/admin/import/usage', { json: { events: [] } }],
    ] as const) {
      const res = await call(a.url, path, { token: tokens.ann, ...init });
      assert.equal(res.status, 403, path);
      assert.equal((await res.json()).error_type, 'forbidden');
    }
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(toaster)]), 'x.pdf');
    assert.equal((await call(a.url, '/api/admin/import/manuals', { token: tokens.ann, body: form })).status, 403);
  });

  test('export writes a versioned archive: manifest with counts and the sha256 of every file, one PDF per content', async () => {
    const r = succeeded(await manuel(['export', '--url', a.url, '--admin-token', tokens.rootA!, '--out', dir()]));
    assert.match(r.stdout, /users: 3\n\s+manuals: 3\n\s+manual files: 2\n/);
    const manifest = JSON.parse(readFileSync(join(dir(), 'manifest.json'), 'utf8'));
    assert.equal(manifest.format, 'manuel-export');
    assert.equal(manifest.version, 1);
    assert.equal(manifest.source.url, a.url);
    assert.deepEqual(Object.keys(manifest.files).sort(), [
      'api-keys.jsonl', 'dead-letters.jsonl', 'errors.jsonl',
      ...readdirSync(join(dir(), 'manuals')).map((f) => `manuals/${f}`),
      'manuals.jsonl', 'usage-counters.jsonl', 'usage.jsonl', 'users.jsonl',
    ].sort());
    assert.equal(readdirSync(join(dir(), 'manuals')).length, 2);
    const users = readFileSync(join(dir(), 'users.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(users.map((u) => [u.email, u.is_admin, u.hash_scheme]), [['root@a.example', true, 'scrypt'], ['ann@example.com', false, 'scrypt'], ['bob@example.com', false, 'scrypt']]);
    const keys = readFileSync(join(dir(), 'api-keys.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(Object.keys(keys[0]).sort(), ['created_at', 'key_id', 'name', 'secret_sha256', 'user_email']);
    const usage = readFileSync(join(dir(), 'usage.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(usage.filter((e) => e.user_email === 'ann@example.com').map((e) => e.operation).sort(), ['query', 'upload']);
    // Exporting again into the same directory is refused, the archive stays as it is.
    assert.equal((await manuel(['export', '--url', a.url, '--admin-token', tokens.rootA!, '--out', dir()])).code, 2);
  });

  test('a tampered archive or a newer format is refused with a clear error, and nothing is written', async () => {
    const tampered = join(root, 'tampered');
    cpSync(dir(), tampered, { recursive: true });
    writeFileSync(join(tampered, 'users.jsonl'), readFileSync(join(tampered, 'users.jsonl'), 'utf8').replace('"is_admin":false', '"is_admin":true'));
    const r = await manuel(['import', '--url', b.url, '--admin-token', tokens.rootB!, '--in', tampered]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /damaged or was altered: users\.jsonl \(checksum mismatch\)\. Nothing was imported\./);

    const newer = join(root, 'newer');
    cpSync(dir(), newer, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(newer, 'manifest.json'), 'utf8'));
    writeFileSync(join(newer, 'manifest.json'), JSON.stringify({ ...manifest, version: 2 }));
    const v = await manuel(['import', '--url', b.url, '--admin-token', tokens.rootB!, '--in', newer]);
    assert.equal(v.code, 2);
    assert.match(v.stderr, /format version 2, newer than this manuel reads \(1\): upgrade manuel/);

    assert.deepEqual(counts(await exportOf(b.url)), { users: 1, manuals: 0, usage: 0 });
    assert.equal((await login(b.url, 'ann@example.com')).status, 401);
  });

  test('import: old passwords work, manuals are re-ingested and searchable, usage history is there', async () => {
    const r = succeeded(await manuel(['import', '--url', b.url, '--admin-token', tokens.rootB!, '--in', dir()]));
    assert.match(r.stdout, /users: 3 created, 0 already there/);
    assert.match(r.stdout, /manuals: 3 queued for ingestion, 0 already there/);
    assert.match(r.stdout, /usage events: 4 added, 0 already there/);
    assert.match(r.stdout, /API keys: 1 not moved/);

    const ann = await okJson(login(b.url, 'ann@example.com'));
    assert.equal((await login(b.url, 'bob@example.com', 'wrong password')).status, 401);
    const bob = await okJson(login(b.url, 'bob@example.com'));
    const annManuals = await okJson(call(b.url, '/api/manuals', { token: ann.access_token }));
    assert.deepEqual(annManuals.manuals.map((m: any) => m.name), ['toaster.pdf']);
    const bobManuals = await okJson(call(b.url, '/api/manuals', { token: bob.access_token }));
    assert.deepEqual(bobManuals.manuals.map((m: any) => m.name).sort(), ['router.pdf', 'toaster.pdf']);
    const sourceAnn = await okJson(call(a.url, '/api/manuals', { token: tokens.ann }));
    assert.equal(annManuals.manuals[0].upload_date, sourceAnn.manuals[0].upload_date);
    for (const m of bobManuals.manuals) await waitCompleted(b.url, bob.access_token, m.id);
    await waitCompleted(b.url, ann.access_token, annManuals.manuals[0].id);
    const answer = await okJson(call(b.url, '/api/query', { token: bob.access_token, json: { question: 'How do I restore the factory settings?' } }));
    assert.equal(answer.sources[0]?.manual_name, 'router.pdf');

    const usage = await okJson(call(b.url, '/api/user/usage', { token: ann.access_token }));
    assert.equal(usage.recent_queries.length, 1);
    assert.match(String(usage.recent_queries[0].at), /^\d{4}-/);
    assert.equal(usage.monthly.operations.upload, 1);
  });

  test('importing again duplicates nothing', async () => {
    const before = counts(await exportOf(b.url));
    const r = succeeded(await manuel(['import', '--url', b.url, '--admin-token', tokens.rootB!, '--in', dir(), '--json']));
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.users.map((u: any) => u.status), ['exists', 'exists', 'exists']);
    assert.deepEqual(out.manuals.map((m: any) => m.status), ['exists', 'exists', 'exists']);
    assert.deepEqual(out.usage, { recorded: 0, skipped: 4, unknown_users: [] });
    assert.deepEqual(counts(await exportOf(b.url)), before);
    assert.ok(existsSync(join(dir(), 'manifest.json')));
  });

  test('with EnableAdvancedSecurity, EnableWAF and HMACSigningKey, both commands sign their admin requests with --server-key', async () => {
    const secret = 'export-import-server-key-0123456789abcdef';
    const c = await start('c', 'root@c.example', { EnableAdvancedSecurity: true, EnableWAF: true, HMACSigningKey: secret });
    try {
      const rootC = await signup(c.url, 'root@c.example');
      const unsigned = await manuel(['import', '--url', c.url, '--admin-token', rootC, '--in', dir()]);
      assert.equal(unsigned.code, 1);
      assert.match(unsigned.stderr, /HTTP 401 invalid_signature: .*give one of its HMACSigningKey secrets with --server-key/);
      const r = succeeded(await manuel(['import', '--url', c.url, '--admin-token', rootC, '--server-key', secret, '--in', dir()]));
      assert.match(r.stdout, /users: 3 created, 0 already there/);
      assert.match(r.stdout, /manuals: 3 queued for ingestion/);
      const out = join(root, 'from-c');
      succeeded(await manuel(['export', '--url', c.url, '--admin-token', rootC, '--server-key', secret, '--out', out]));
      assert.equal(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).counts.users, 4);
    } finally {
      await c.close();
    }
  });
});
