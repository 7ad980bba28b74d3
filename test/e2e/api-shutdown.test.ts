import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildPdf } from '../helpers/api-pdfs.js';
import { repoRoot } from '../helpers/eval-manuals.js';

const serverJs = join(repoRoot, 'dist', 'src', 'entry', 'server.js');

function startChild(env: Record<string, string>): { child: ChildProcess; url: Promise<string>; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [serverJs], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const log = JSON.parse(line);
        if (log.msg === 'listening') resolve(log.url);
      } catch {
        /* not a log line */
      }
    });
    child.once('exit', () => reject(new Error(`server exited before listening: ${err}`)));
  });
  url.catch(() => {}); // a test that expects a start-up failure never awaits the URL
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exit, stderr: () => err };
}

describe('server process', () => {
  it('on SIGTERM lets an in-flight upload finish, then exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-'));
    const { child, url: urlP, exit } = startChild({ PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: dataDir, EmbeddingWorkers: '0', LOG_LEVEL: 'info' });
    try {
      const url = await urlP;
      const signup = await fetch(`${url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'drain@example.test', password: 'correct horse battery' }),
      });
      const { access_token } = (await signup.json()) as { access_token: string };

      // A JSON upload sent in two halves, with SIGTERM in between: the request is in flight.
      const body = JSON.stringify({ file_name: 'drain.pdf', file_data: buildPdf([['Drain test', 'Some words on a page.']]).toString('base64') });
      const half = Math.floor(body.length / 2);
      const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${url}/api/manuals/upload`, {
          method: 'POST',
          agent: false,
          headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, half));
        setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(half)), 400);
        }, 200);
      });
      const done = await response;
      assert.equal(done.status, 202, done.body);
      assert.ok(JSON.parse(done.body).manual_id);
      assert.equal(await exit, 0);
      // new connections are refused once it has stopped
      await assert.rejects(fetch(`${url}/health`));
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops at start-up with one line naming a bad parameter, exit code 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-'));
    try {
      const { exit, stderr } = startChild({ PORT: '0', MANUEL_DATA_DIR: dataDir, DailyQuotaLimit: 'lots' });
      assert.equal(await exit, 1);
      const lines = stderr().trim().split('\n');
      assert.equal(lines.length, 1, stderr());
      assert.match(lines[0]!, /DailyQuotaLimit/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
