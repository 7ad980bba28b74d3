/**
 * Issue 11 part 6: a 60 MB upload over MaxManualSizeMB=50 gets its 413 in every client, against the
 * real server process (`node dist/src/entry/server.js`). Node's fetch (undici) keeps sending while
 * the server answers; before lingering close it saw EPIPE instead of the 413.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const MB = 1024 * 1024;
const LIMIT_MB = 50;
const BODY_MB = 60;
const hasCurl = spawnSync('curl', ['--version']).status === 0;

/** 60 MB that starts like a PDF. */
const bigPdf = () => {
  const b = Buffer.alloc(BODY_MB * MB, 0x20);
  b.write('%PDF-1.4\n');
  return b;
};

async function signup(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `big-${process.pid}-${Date.now()}@example.test`, password: 'correct horse battery' }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Node's fetch: a FormData body (Content-Length declared) or a stream of 1 MB chunks (chunked). */
async function fetchUpload(url: string, token: string, kind: 'form' | 'chunked'): Promise<{ status: number; body: Record<string, any> }> {
  let init: RequestInit & { duplex?: 'half' };
  if (kind === 'form') {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bigPdf())], { type: 'application/pdf' }), 'big.pdf');
    init = { body: form };
  } else {
    let sent = 0;
    const chunk = new Uint8Array(MB).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ >= BODY_MB) c.close();
        else c.enqueue(chunk);
      },
    });
    init = { body, duplex: 'half', headers: { 'content-type': 'multipart/form-data; boundary=----x' } };
  }
  const res = await fetch(`${url}/api/manuals/upload`, { method: 'POST', ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as object) } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function expectTooLarge(r: { status: number; body: Record<string, any> }) {
  assert.equal(r.status, 413, JSON.stringify(r.body));
  assert.equal(r.body.error_type, 'payload_too_large');
  assert.equal(r.body.details.limit_bytes, LIMIT_MB * MB);
}

for (const waf of [false, true]) {
  describe(`a ${BODY_MB} MB upload over MaxManualSizeMB=${LIMIT_MB} gets its 413 in every client${waf ? ' (WAF on)' : ''}`, { timeout: 300_000 }, () => {
    let server: ServerProcess;
    let token: string;
    before(async () => {
      server = await startServerProcess({ MaxManualSizeMB: String(LIMIT_MB), LOG_LEVEL: 'debug', EnableWAF: String(waf) });
      token = await signup(server.url);
    });
    after(() => server?.stop());

    // Repeated: before the fix the failure was a race, lost most of the time but not always.
    const rounds = waf ? 1 : 3;
    it(`Node fetch (undici), Content-Length declared: the 413, not EPIPE (${rounds}×)`, async () => {
      for (let i = 0; i < rounds; i++) expectTooLarge(await fetchUpload(server.url, token, 'form'));
    });

    it(`Node fetch (undici), chunked body: the 413 (${rounds}×)`, async () => {
      for (let i = 0; i < rounds; i++) expectTooLarge(await fetchUpload(server.url, token, 'chunked'));
    });

    it('an answer before any body cap (an invalid token on a 60 MB upload) arrives too', async () => {
      const r = await fetchUpload(server.url, 'not-a-token', 'form');
      assert.equal(r.status, 401);
      assert.equal(r.body.error_type, 'unauthorized');
    });

    it('curl: with Expect: 100-continue, without it, and chunked', { skip: hasCurl ? undefined : 'curl is not installed' }, () => {
      const dir = mkdtempSync(join(tmpdir(), 'manuel-big-'));
      try {
        const file = join(dir, 'big.pdf');
        writeFileSync(file, bigPdf());
        for (const extra of [[], ['-H', 'Expect:'], ['-H', 'Transfer-Encoding: chunked']]) {
          const out = execFileSync(
            'curl',
            ['-sS', '-w', '\n%{http_code}', '-H', `authorization: Bearer ${token}`, ...extra, '-F', `file=@${file};type=application/pdf`, `${server.url}/api/manuals/upload`],
            { encoding: 'utf8' },
          );
          const [body, code] = out.split('\n');
          expectTooLarge({ status: Number(code), body: JSON.parse(body!) });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the server read and dropped the rest of those bodies within its bound, and still takes a real manual', async () => {
      await new Promise((r) => setTimeout(r, 200)); // the last log lines
      const lingered = server.logs.filter((l) => String(l.msg).startsWith('unread request body discarded'));
      // With the WAF on, a body up to the largest accepted size is read for inspection before any
      // answer: nothing is left unread. Without it, most early answers above left some body unread
      // (not all: on loopback a body may be all in by the time its answer has gone).
      if (!waf) assert.ok(lingered.length >= 1, 'lingering close after early answers');
      for (const l of lingered) assert.ok(['drained', 'client_closed'].includes(String(l.outcome)), JSON.stringify(l));
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf')))], { type: 'application/pdf' }), 'openni.pdf');
      const res = await fetch(`${server.url}/api/manuals/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      assert.equal(res.status, 202, await res.clone().text());
      const { job_id } = (await res.json()) as { job_id: string };
      for (let i = 0; ; i++) {
        const job = (await (await fetch(`${server.url}/api/ingestion/status?job_id=${job_id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string };
        if (job.status === 'completed') break;
        assert.notEqual(job.status, 'failed');
        assert.ok(i < 600, 'ingestion finished');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });
}
