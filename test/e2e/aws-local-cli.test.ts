/**
 * The real `manuel` CLI (bin/manuel.js, a child process) against `aws:local`: the local API Gateway, the
 * Lambda handlers, Cognito (moto) for sign-up and login, S3 (s3rver) whose object event starts
 * ProcessManual, DynamoDB (dynalite). The same commands and output as against `npm start` (cli.test.ts):
 * signup, login, upload (waits for ingestion), ask (cited answer), manuals list/info, usage, a failure.
 * Keyword search only (no embedder) keeps ingestion to a few seconds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { evalManualsDir, repoRoot } from '../helpers/eval-manuals.js';
import { runCommand, type Run } from '../helpers/run-command.js';

const skip = motoSkip();
const bin = join(repoRoot, 'bin', 'manuel.js');
const email = `cli-aws-${Date.now()}@example.test`;
const password = 'correct horse battery';

describe('manuel CLI against aws:local', { skip, concurrency: false }, () => {
  let local: AwsLocal;
  let root = '';
  let configDir = '';
  let manualId = '';

  const manuel = (args: string[], opts: { input?: string; config?: string } = {}): Promise<Run> =>
    runCommand(process.execPath, [bin, '--server', local.url, ...args], { ...process.env, MANUEL_CONFIG_DIR: opts.config ?? configDir, MANUEL_SERVER: '' }, opts.input ?? '');
  const json = <T = Record<string, any>>(r: Run): T => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as T;
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'manuel-aws-cli-'));
    configDir = join(root, 'config');
    local = await startAwsLocal({ port: 0, models: { embedder: null, transcriber: null }, scheduleMs: 0, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
  });
  after(async () => {
    await local?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('signup goes through Cognito and stores the session; login from stdin works too', async () => {
    const r = await manuel(['signup', '--email', email, '--password', password]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Signed up as ${email.replace(/\./g, '\\.')} on http://127\\.0\\.0\\.1:\\d+\\n$`));
    const login = await manuel(['login'], { input: `${email}\n${password}\n`, config: join(root, 'config-login') });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Logged in as /);
  });

  test('upload sends the PDF through API Gateway and waits for ProcessManual to complete it', async () => {
    const pdf = join(evalManualsDir(), 'openni-user-guide.pdf');
    const r = await manuel(['upload', pdf]);
    assert.equal(r.code, 0, r.stderr);
    const m = r.stdout.match(/openni-user-guide\.pdf: completed \(pages 44, chunks \d+.*\) — manual (\S+?)\r?\n/);
    assert.ok(m, r.stdout);
    manualId = m[1]!;
  });

  test('ask prints a cited answer: sources as "manual p. N", the pages of the JSON answer', async () => {
    const r = await manuel(['ask', 'How do I register a module with niReg?']);
    assert.equal(r.code, 0, r.stderr);
    const [answer, sources] = r.stdout.split('\nSources:\n');
    assert.ok(answer!.trim().length > 20, r.stdout);
    assert.match(answer!, /niReg/i);
    const lines = sources!.trimEnd().split('\n');
    assert.ok(lines.length >= 1, r.stdout);
    lines.forEach((line, i) => assert.match(line, new RegExp(`^ {2}\\[${i + 1}\\] openni-user-guide\\.pdf p\\. \\d+( \\([^)]+\\))?$`)));
    const raw = json(await manuel(['ask', '--json', '-m', manualId, 'How do I register a module with niReg?']));
    assert.ok(raw.sources.length > 0);
    assert.ok(raw.sources.every((s: any) => s.manual_id === manualId && s.page_number >= 1 && s.page_number <= 44));
  });

  test('manuals list and info show the completed manual', async () => {
    const [list, listed, info] = await Promise.all([manuel(['manuals', 'list']), manuel(['manuals', 'list', '--json']), manuel(['manuals', 'info', manualId])]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+PAGES\s+SIZE\s+STATUS\s+UPLOADED\s+NAME\n/);
    assert.match(list.stdout, new RegExp(`${manualId}\\s+44\\s+[\\d.]+ (KB|MB)\\s+completed\\s+.*openni-user-guide\\.pdf`));
    const body = json(listed);
    assert.equal(body.count, 1);
    assert.equal(body.manuals[0].id, manualId);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^pages: 44$/m);
  });

  test('usage shows the counters DynamoDB kept and the recent question', async () => {
    const [r, raw] = await Promise.all([manuel(['usage']), manuel(['usage', '--json'])]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Today {6}\d+ of \d+ requests, \d+ left/);
    assert.match(r.stdout, /^This month \d+ of \d+ requests/m);
    assert.match(r.stdout, /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}"How do I register a module with niReg\?" \(\d+ ms\)$/m);
    const body = json(raw);
    assert.ok(body.usage && body.quota);
  });

  test('a failure is one line on stderr and a non-zero exit', async () => {
    const notPdf = join(root, 'notes.pdf');
    writeFileSync(notPdf, 'just some text, not a PDF');
    for (const r of await Promise.all([manuel(['upload', notPdf]), manuel(['manuals', 'info', 'no-such-manual'])])) {
      assert.notEqual(r.code, 0, r.stdout);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /^manuel: /);
    }
  });
});
