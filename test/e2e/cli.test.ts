import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/entry/server.js';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import { evalDir, evalManualsDir } from '../helpers/eval-manuals.js';
import { assertOneLineFailure, MANUEL_BIN, runCommand, type Run } from '../helpers/run-command.js';

/**
 * The compiled `manuel` command as a user runs it (a child process, stdout/stderr/exit code) against
 * a real server on a random port with a temp data dir. Keyword search only (EmbeddingWorkers 0)
 * keeps ingestion to a second or two.
 */

const bin = MANUEL_BIN;

let root: string;
let server: { url: string; port: number; close(): Promise<void> };
let configDir: string;

function manuel(args: string[], opts: { input?: string; env?: Record<string, string>; config?: string } = {}): Promise<Run> {
  const env = { ...process.env, MANUEL_CONFIG_DIR: opts.config ?? configDir, MANUEL_SERVER: '', ...opts.env };
  return runCommand(process.execPath, [bin, '--server', server.url, ...args], env, opts.input ?? '');
}

/** The same, on a pseudo-terminal (util-linux `script`), where progress bars are drawn. Output is stdout+stderr. */
function manuelInTerminal(args: string[], opts: { config?: string } = {}): Promise<Run> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const cmd = `stty cols 160; exec ${[process.execPath, bin, '--server', server.url, ...args].map(quote).join(' ')}`;
  return runCommand('script', ['-qec', cmd, '/dev/null'], { ...process.env, MANUEL_CONFIG_DIR: opts.config ?? configDir, MANUEL_SERVER: '' });
}


const json = <T = Record<string, any>>(r: Run): T => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
};

const which = (cmd: string) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const canSpeak = Boolean(which('flite') && which('sox'));
const hasScript = Boolean(which('script'));

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'manuel-'));
  configDir = join(root, 'config');
  const config = loadEmbeddedConfig(
    { PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: join(root, 'data'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    { EmbeddingWorkers: 0, AllowPrivateUrls: true },
  );
  server = await startServer(config);
});

after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('manuel CLI against a real server', { concurrency: false }, () => {
  let manualId = '';

  test('signup stores the tokens in a 0600 config file', async () => {
    const r = await manuel(['signup', '--email', 'ada@example.com', '--password', 'correct horse battery', '--name', 'Ada']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Signed up as ada@example\.com on http:\/\/127\.0\.0\.1:\d+\n$/);
    const file = join(configDir, 'manuel', 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(stored.server, server.url);
    assert.ok(stored.sessions[server.url].access_token.length > 20);
    assert.ok(stored.sessions[server.url].refresh_token);
  });

  test('login reads email and password from stdin when not given; a wrong password fails', async () => {
    const other = join(root, 'config-login');
    const [r, wrong] = await Promise.all([
      manuel(['login'], { input: 'ada@example.com\ncorrect horse battery\n', config: other }),
      manuel(['login', '-e', 'ada@example.com', '-p', 'wrong password'], { config: join(root, 'config-wrong') }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged in as ada@example\.com/);
    assertOneLineFailure(wrong, /./);
  });

  test('without a session, commands fail with one line telling to log in', async () => {
    const r = await manuel(['manuals', 'list'], { config: join(root, 'nobody') });
    assertOneLineFailure(r, /manuel login/);
  });

  test('upload draws a progress bar on a terminal through upload and ingestion to completed', async () => {
    const pdf = join(evalManualsDir(), 'openni-user-guide.pdf');
    const r = hasScript ? await manuelInTerminal(['upload', pdf]) : await manuel(['upload', pdf]);
    assert.equal(r.code, 0, r.stderr);
    if (hasScript) {
      const screen = r.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      assert.match(screen, /openni-user-guide\.pdf\s+\|.*\| \d+% uploading [\d.]+ (KB|MB) \/ [\d.]+ MB/);
      assert.match(screen, /openni-user-guide\.pdf\s+\|.*\| \d+% processing: (extracting|indexing|embedding)/);
      assert.match(screen, /openni-user-guide\.pdf\s+\|.*\| 100% completed \(pages 44, chunks \d+/);
    }
    const m = r.stdout.match(/openni-user-guide\.pdf: completed \(pages 44, chunks \d+.*\) — manual (\S+?)\r?\n/);
    assert.ok(m, r.stdout);
    manualId = m[1]!;
  });

  test('ask prints the answer, then sources as "manual p. N (label)"', async () => {
    const r = await manuel(['ask', 'How do I register a module with niReg?']);
    assert.equal(r.code, 0, r.stderr);
    const [answer, sources] = r.stdout.split('\nSources:\n');
    assert.ok(answer!.trim().length > 20, r.stdout);
    const lines = sources!.trimEnd().split('\n');
    assert.ok(lines.length >= 1);
    lines.forEach((line, i) => assert.match(line, new RegExp(`^ {2}\\[${i + 1}\\] openni-user-guide\\.pdf p\\. \\d+( \\([^)]+\\))?$`)));

    // the printed pages are the pages of the JSON answer, in order
    const raw = json(await manuel(['ask', 'How do I register a module with niReg?', '--json']));
    assert.equal(typeof raw.answer, 'string');
    const pages = raw.sources.map((s: any) => s.page_number);
    assert.deepEqual(
      lines.map((l) => Number(l.match(/p\. (\d+)/)![1])),
      pages,
    );
  });

  test('ask --manual limits the search to that manual', async () => {
    const r = json(await manuel(['ask', '--json', '-m', manualId, 'niReg']));
    assert.ok(r.sources.length > 0);
    assert.ok(r.sources.every((s: any) => s.manual_id === manualId));
  });

  test('manuals list, info and --json', async () => {
    const [list, listedRun, info, infoJson] = await Promise.all([
      manuel(['manuals', 'list']),
      manuel(['manuals', 'list', '--json']),
      manuel(['manuals', 'info', manualId]),
      manuel(['--json', 'manuals', 'info', manualId]),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+PAGES\s+SIZE\s+STATUS\s+UPLOADED\s+NAME\n/);
    assert.match(list.stdout, new RegExp(`${manualId}\\s+44\\s+[\\d.]+ (KB|MB)\\s+completed\\s+.*openni-user-guide\\.pdf`));
    const listed = json(listedRun);
    assert.equal(listed.count, 1);
    assert.equal(listed.manuals[0].id, manualId);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^pages: 44$/m);
    assert.equal(json(infoJson).id, manualId);
  });

  test('usage shows usage and quota', async () => {
    const [r, rawRun] = await Promise.all([manuel(['usage']), manuel(['usage', '--json'])]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Today {6}\d+ of 50 requests, \d+ left/);
    assert.match(r.stdout, /^This month \d+ of \d+ requests/m);
    assert.match(r.stdout, /^Recent questions:\n/m);
    assert.match(r.stdout, /^ {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}"How do I register a module with niReg\?" \(\d+ ms\)$/m);
    const raw = json(rawRun);
    assert.ok(raw.usage && typeof raw.usage === 'object');
    assert.ok(raw.quota && typeof raw.quota === 'object');
  });

  test('failures: unknown id, not a PDF, missing file, bad usage — one line, non-zero', async () => {
    const notPdf = join(root, 'notes.pdf');
    writeFileSync(notPdf, 'just some text, not a PDF');
    const [unknown, notAPdf, missing, usage, jsonErr] = await Promise.all([
      manuel(['manuals', 'info', 'no-such-manual']),
      manuel(['upload', notPdf]),
      manuel(['upload', join(root, 'missing.pdf')]),
      manuel(['ask']),
      manuel(['--json', 'manuals', 'info', 'no-such-manual']),
    ]);
    assertOneLineFailure(unknown, /not found/i);
    assertOneLineFailure(notAPdf, /PDF/);
    assertOneLineFailure(missing, /no such file/);
    assert.equal(usage.code, 2);
    assertOneLineFailure(usage, /question/);
    assert.equal(JSON.parse(jsonErr.stdout).error_type, 'not_found');
  });

  test('import downloads from a URL and follows the ingestion', async () => {
    const pdf = readFileSync(join(evalManualsDir(), 'gpredict-user-manual.pdf'));
    const files: Server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length });
      res.end(pdf);
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/gpredict.pdf`;
      const run = await manuel(['import', url, '--json']);
      assert.equal(run.stderr, '', 'off a terminal there is no progress chatter');
      const r = json(run);
      assert.ok(r.manual_id);
      assert.equal(r.ingestion.status, 'completed');
      assert.equal(json(await manuel(['manuals', 'list', '--json'])).count, 2);
    } finally {
      files.close();
    }
  });

  test('ask --audio sends a recording; the answer carries the transcript', { skip: !canSpeak && 'needs flite and sox' }, async () => {
    const wav = join(root, 'question.wav');
    execFileSync('bash', [join(evalDir, 'speak.sh'), 'How do I register a module', wav], { stdio: 'ignore' });
    const r = await manuel(['ask', '--json', '--audio', wav]);
    if (r.code !== 0 && /not available|unavailable|503/i.test(r.stderr)) {
      return assertOneLineFailure(r, /./); // the server has no recogniser wired: still a clean failure
    }
    const raw = json(r);
    // what was heard is the recogniser's business; the CLI must deliver the whole recording and show the transcript
    assert.ok(raw.transcription.text.trim().length > 0);
    assert.equal(raw.question, raw.transcription.text);
    const seconds = Number(execFileSync('sox', ['--i', '-D', wav], { encoding: 'utf8' }));
    assert.ok(Math.abs(raw.transcription.duration_s - seconds) < 0.3, `server heard ${raw.transcription.duration_s} s of ${seconds} s`);
  });

  test('ask --voice records (sox stand-in for the microphone), meters and asks', { skip: !canSpeak && 'needs flite and sox' }, async () => {
    const speech = join(root, 'spoken.wav');
    execFileSync('bash', [join(evalDir, 'speak.sh'), 'How do I register a module', speech], { stdio: 'ignore' });
    const mic = join(root, 'mic.wav');
    execFileSync('sox', [speech, mic, 'pad', '0.5', '3']);
    const binDir = join(root, 'fake-bin');
    mkdirSync(binDir, { recursive: true });
    writeFileSync(join(binDir, 'rec'), `#!/bin/sh\nexec ${which('sox')} ${mic} "$@"\n`);
    chmodSync(join(binDir, 'rec'), 0o755);
    const r = await manuel(['ask', '--voice'], { env: { PATH: `${binDir}:${process.env.PATH}` } });
    if (r.code !== 0 && /not available|unavailable|503/i.test(r.stderr)) return;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Recorded \d\.\d s; asking/);
    assert.match(r.stdout, /^You said: \S.*\n\n.+/);
  });

  test('an expired access token is refreshed with the refresh token', async () => {
    const file = join(configDir, 'manuel', 'config.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    const before = stored.sessions[server.url];
    stored.sessions[server.url] = { ...before, expires_at: Date.now() - 1000 };
    writeFileSync(file, JSON.stringify(stored));
    const r = await manuel(['manuals', 'list', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const after = JSON.parse(readFileSync(file, 'utf8')).sessions[server.url];
    assert.notEqual(after.access_token, before.access_token);
    assert.ok(after.expires_at > Date.now());
  });

  test('delete asks first (declining keeps the manual); --yes deletes with a cleanup summary', async () => {
    const declined = await manuel(['manuals', 'delete', manualId], { input: 'n\n' });
    assert.equal(declined.code, 1);
    const lines = declined.stderr.trimEnd().split('\n');
    assert.match(lines[0]!, /^Delete "openni-user-guide\.pdf" \(44 pages\)\? \[y\/N\]/);
    assert.deepEqual(lines.slice(1), ['manuel: Not deleted (answer y to confirm, or pass --yes)']);
    assert.equal(json(await manuel(['manuals', 'list', '--json'])).count, 2);

    const r = json(await manuel(['manuals', 'delete', manualId, '--yes', '--json']));
    assert.equal(r.success, true);
    assert.ok(r.cleanup_summary);
    const left = json(await manuel(['manuals', 'list', '--json']));
    assert.ok(left.manuals.every((m: any) => m.id !== manualId));
  });

  test('logout revokes the refresh token on the server and forgets the tokens', async () => {
    const r = await manuel(['logout', '--json']);
    const out = json(r);
    assert.equal(out.logged_out, true);
    assert.equal(out.revoked, true);
    assertOneLineFailure(await manuel(['manuals', 'list']), /manuel login/);
  });
});

test('manuel serve runs the server and stops cleanly on SIGTERM', async () => {
  const dataDir = join(root, 'serve-data');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--json'], {
    env: { ...process.env, EmbeddingWorkers: '0', LOG_LEVEL: 'silent', MANUEL_CONFIG_DIR: join(root, 'serve-config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const started = await new Promise<{ url: string }>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      try {
        resolve(JSON.parse(stdout));
      } catch {
        // wait for the whole JSON document
      }
    });
    child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const health = await fetch(`${started.url}/health`);
  assert.equal(health.status, 200);
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  statSync(join(dataDir, 'manuel.db'));
});

test('a missing parameters file stops `manuel serve` with one line', async () => {
  const r = await new Promise<Run>((resolve) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--parameters', join(root, 'nope.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assertOneLineFailure(r, /nope\.json/);
});
