/**
 * The standard rollback's data move across shapes (issue 12): `manuel export` from an embedded server,
 * `manuel import --in` into `aws:local` (Cognito on moto, DynamoDB on dynalite, S3 on s3rver), and back
 * out of aws:local into a fresh embedded server. Same users, same manuals (name, owner, bytes), and on
 * aws:local the same answers (text and cited pages) to the 60 eval questions on the four eval manuals
 * (keyword search on both sides: no embedder). freedombox-manual.pdf (23 MB) is over API Gateway's 10 MB
 * request limit, which aws:local enforces: the import puts each PDF through a direct upload (presigned
 * S3 PUT) and hands its id to the import route, so it moves too.
 * Cognito cannot take the scrypt hashes: the import says the accounts must set a new password, and an
 * imported account does so through login's password_reset_required + POST /api/auth/complete-reset.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AdminSetUserPasswordCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { startServer } from '../../src/entry/server.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { apiRequest } from '../helpers/server.js';
import { evalManualsDir, loadQa, repoRoot } from '../helpers/eval-manuals.js';
import { runCommand, type Run } from '../helpers/run-command.js';

const bin = join(repoRoot, 'bin', 'manuel.js');
const PASSWORD = 'correct horse battery';
const questions = loadQa('dev');
/** 60 questions each side: more than the default daily quota. */
const NO_QUOTA = { DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 };
const MANUALS = [...new Set(questions.map((q) => q.manual))].sort();

let root = '';
const servers: { close(): Promise<void> }[] = [];

async function embedded(name: string, adminEmail: string): Promise<string> {
  const config = loadEmbeddedConfig(
    { PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: join(root, name), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    { EmbeddingWorkers: 0, AdminEmail: adminEmail, ...NO_QUOTA },
  );
  const s = await startServer(config);
  servers.push(s);
  return s.url;
}

const call = apiRequest;
async function okJson<T = any>(res: Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  assert.ok(r.ok, `${r.status} ${text}`);
  return JSON.parse(text) as T;
}
const signup = async (base: string, email: string) => (await okJson(call(base, '/api/auth/signup', { json: { email, password: PASSWORD } }))).access_token as string;

async function manualsDone(base: string, token: string): Promise<{ id: string; name: string }[]> {
  for (let i = 0; i < 1200; i++) {
    const list = (await okJson(call(base, '/api/manuals', { token }))).manuals as { id: string; name: string; status: string }[];
    assert.ok(list.every((m) => m.status !== 'failed'), JSON.stringify(list));
    if (list.length > 0 && list.every((m) => m.status === 'completed')) return list;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail('manuals not ingested in 4 min');
}

/** What a user gets for each question: the answer and its cited pages. */
async function answers(base: string, token: string): Promise<{ id: string; answer: string; pages: number[] }[]> {
  const out = [];
  for (const q of questions) {
    const a = await okJson(call(base, '/api/query', { token, json: { question: q.question } }));
    out.push({ id: q.id, answer: a.answer as string, pages: (a.sources as { page_number: number }[]).map((s) => s.page_number) });
  }
  return out;
}

function manuel(args: string[]): Promise<Run> {
  const env = { ...process.env, MANUEL_CONFIG_DIR: join(root, 'cli'), MANUEL_SERVER: '', MANUEL_API_KEY: '', MANUEL_ADMIN_TOKEN: '', MANUEL_SERVER_KEY: '' };
  return runCommand(process.execPath, [bin, ...args], env);
}
const ok = (r: Run) => {
  assert.equal(r.code, 0, r.stderr);
  return r;
};
const usersOf = (dir: string) => readFileSync(join(dir, 'users.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { email: string; is_admin: boolean });
const manualsOf = (dir: string) =>
  readFileSync(join(dir, 'manuals.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; owner_email: string | null; content_hash: string; shared: boolean });

describe('export/import round trip: embedded → aws:local → embedded', { skip: motoSkip(), concurrency: false }, () => {
  let local: AwsLocal;
  let source = '';
  const tokens: Record<string, string> = {};
  let sourceAnswers: Awaited<ReturnType<typeof answers>> = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'manuel-migration-'));
    source = await embedded('source', 'root@source.example');
    tokens.root = await signup(source, 'root@source.example');
    tokens.ann = await signup(source, 'ann@example.com');
    for (const name of MANUALS) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(readFileSync(join(evalManualsDir(), name)))], { type: 'application/pdf' }), name);
      await okJson(call(source, '/api/manuals/upload', { token: tokens.ann, body: form }));
    }
    await manualsDone(source, tokens.ann);
    sourceAnswers = await answers(source, tokens.ann);
    local = await startAwsLocal({ port: 0, parameters: NO_QUOTA, models: { embedder: null, transcriber: null }, scheduleMs: 0, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
    tokens.localRoot = await signup(local.url, 'root@aws.example');
  });
  after(async () => {
    await local?.close();
    await Promise.all(servers.map((s) => s.close()));
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('embedded → aws:local: same users and manuals; the accounts must set a new password, and the command says so', async () => {
    ok(await manuel(['export', '--url', source, '--admin-token', tokens.root!, '--out', join(root, 'from-embedded')]));
    const r = ok(await manuel(['import', '--url', local.url, '--admin-token', tokens.localRoot!, '--in', join(root, 'from-embedded')]));
    assert.match(r.stdout, /users: 2 created, 0 already there/);
    assert.match(r.stdout, /ann@example\.com: password not moved \(this deployment cannot use the source's hash\): must set a new password/);
    assert.match(r.stdout, new RegExp(`manuals: ${MANUALS.length} queued for ingestion, 0 already there`));
    // The old password is not valid on Cognito.
    assert.equal((await call(local.url, '/api/auth/login', { json: { email: 'ann@example.com', password: PASSWORD } })).status, 401);
    ok(await manuel(['export', '--url', local.url, '--admin-token', tokens.localRoot!, '--out', join(root, 'from-aws')]));
    const src = join(root, 'from-embedded');
    const aws = join(root, 'from-aws');
    assert.deepEqual(usersOf(aws).filter((u) => u.email !== 'root@aws.example').map((u) => [u.email, u.is_admin]), usersOf(src).map((u) => [u.email, u.is_admin]));
    assert.deepEqual(manualsOf(aws).map((m) => [m.name, m.owner_email, m.content_hash, m.shared]), manualsOf(src).map((m) => [m.name, m.owner_email, m.content_hash, m.shared]));
  });

  test('on aws:local an imported account completes its forced reset and gets the same answers to the eval questions', async () => {
    // What the pool's e-mail gives the user: a temporary password (moto sends no mail, so it is set here).
    const { userPoolId } = local.services.config.cognito;
    const cognito = new CognitoIdentityProviderClient(clientConfig(local.services.config.aws, 'cognito'));
    await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: 'ann@example.com', Password: 'Temporary-1', Permanent: false }));
    cognito.destroy();
    const first = await call(local.url, '/api/auth/login', { json: { email: 'ann@example.com', password: 'Temporary-1' } });
    assert.equal(first.status, 403);
    const body = (await first.json()) as { error_type: string; details: { session: string } };
    assert.equal(body.error_type, 'password_reset_required');
    const session = await okJson(call(local.url, '/api/auth/complete-reset', { json: { email: 'ann@example.com', session: body.details.session, new_password: 'new password 2' } }));
    assert.equal(session.user.email, 'ann@example.com');
    tokens.localAnn = session.access_token;
    assert.ok((await call(local.url, '/api/auth/login', { json: { email: 'ann@example.com', password: 'new password 2' } })).ok);

    assert.deepEqual((await manualsDone(local.url, tokens.localAnn!)).map((m) => m.name).sort(), MANUALS);
    assert.equal(questions.length, 60);
    assert.deepEqual(await answers(local.url, tokens.localAnn!), sourceAnswers);
  });

  test('aws:local → embedded: same users and manuals again; without a hash to move, the accounts wait for a new password', async () => {
    const back = await embedded('back', 'root@back.example');
    const rootBack = await signup(back, 'root@back.example');
    const r = ok(await manuel(['import', '--url', back, '--admin-token', rootBack, '--in', join(root, 'from-aws')]));
    assert.match(r.stdout, /users: 3 created, 0 already there/);
    assert.match(r.stdout, /ann@example\.com: password not moved/);
    ok(await manuel(['export', '--url', back, '--admin-token', rootBack, '--out', join(root, 'back')]));
    const again = join(root, 'back');
    const src = join(root, 'from-embedded');
    assert.deepEqual(
      usersOf(again).filter((u) => !['root@aws.example', 'root@back.example'].includes(u.email)).map((u) => [u.email, u.is_admin]),
      usersOf(src).map((u) => [u.email, u.is_admin]),
    );
    assert.deepEqual(manualsOf(again).map((m) => [m.name, m.owner_email, m.content_hash, m.shared]), manualsOf(src).map((m) => [m.name, m.owner_email, m.content_hash, m.shared]));
    assert.equal((await call(back, '/api/auth/login', { json: { email: 'ann@example.com', password: 'new password 2' } })).status, 401);
  });
});
