import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { buildPdf } from '../helpers/api-pdfs.js';
import { repoRoot } from '../helpers/eval-manuals.js';
import { startServerProcess } from '../helpers/server-process.js';

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

  it('SIGTERM under load: every in-flight request ends normally, new connections are refused or get 503, exit 0', async () => {
    const model = await heldModel();
    const proc = await startServerProcess({ TextModelEndpoint: model.url, DailyQuotaLimit: '0', MonthlyQuotaLimit: '0', EnableAdvancedErrorHandling: 'true' });
    const exited = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const url = proc.url;
      const signup = await call(`${url}/api/auth/signup`, { json: { email: 'load@example.test', password: 'correct horse battery' } });
      const token = JSON.parse(signup.body!).access_token as string;
      const auth = { authorization: `Bearer ${token}` };
      const models = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
      const pdf = buildPdf([['Pump manual', 'Prime the pump with water before the first start.', `This applies to the models ${models.join(', ')}.`]]);
      const up = JSON.parse((await call(`${url}/api/manuals/upload`, { headers: auth, json: { file_name: 'pump.pdf', file_data: pdf.toString('base64') } })).body!);
      for (let status = ''; status !== 'completed'; ) {
        status = JSON.parse((await call(`${url}/api/ingestion/status?job_id=${up.job_id}`, { headers: auth })).body!).status;
        assert.notEqual(status, 'failed');
        await new Promise((r) => setTimeout(r, 100));
      }

      // Eight questions, each now waiting on the model: in flight in the server for sure.
      // (Distinct questions: the answer cache must not serve any of them.)
      const inFlight = models.map((m) => call(`${url}/api/query`, { headers: auth, json: { question: `How do I prime the pump of the ${m} model before the first start?` } }));
      await model.arrived(8);
      // Background load: fresh connections, and a client that keeps its connections alive.
      let loading = true;
      let shutdownSeen = false;
      const load: { after: boolean; outcome: Outcome }[] = [];
      const loop = async (opts: CallOptions) => {
        while (loading) {
          const after = shutdownSeen;
          load.push({ after, outcome: outcomeOf(await call(`${url}/api/manuals`, { ...opts, headers: auth })) });
        }
      };
      const loaders = [loop({}), loop({}), loop({ agent: keepAlive }), loop({ agent: keepAlive })];
      await new Promise((r) => setTimeout(r, 100));

      proc.child.kill('SIGTERM');
      await until(() => proc.logs.some((l) => l.msg === 'shutting down'));
      shutdownSeen = true;
      // The listener is closed once the process says so: a new connection gets nowhere, or a 503.
      const late = await Promise.all(Array.from({ length: 5 }, () => call(`${url}/health`)));
      for (const r of late) assert.ok(['refused', 'reset', 503].includes(outcomeOf(r)), JSON.stringify(r));
      model.release();

      const answers = await Promise.all(inFlight);
      for (const a of answers) {
        assert.equal(a.status, 200, JSON.stringify(a));
        assert.match(JSON.parse(a.body!).answer, /Prime the pump/);
      }
      loading = false;
      await Promise.all(loaders);
      assert.equal(await exited, 0);

      const before = load.filter((l) => !l.after).map((l) => l.outcome);
      const after = load.filter((l) => l.after).map((l) => l.outcome);
      assert.ok(before.includes(200), 'the load was served before the signal');
      // Nothing but a normal answer, a 503, or a connection the server never took (safe to retry): no 500, no cut response.
      for (const o of [...before, ...after]) assert.ok([200, 503, 'refused', 'reset'].includes(o), String(o));
      assert.ok(!after.includes(200), 'nothing new is started once shutdown has begun');
      if (process.env.SHOW_OUTCOMES) console.log({ before: tally(before), after: tally(after) });
    } finally {
      keepAlive.destroy();
      model.release();
      await proc.stop();
      await model.close();
    }
  });
});

const tally = (xs: Outcome[]) => xs.reduce<Record<string, number>>((t, x) => ((t[x] = (t[x] ?? 0) + 1), t), {});

type Outcome = number | 'refused' | 'reset' | 'cut';
interface CallResult {
  status?: number;
  body?: string;
  error?: string;
  /** Response headers arrived, then the connection broke. */
  cut?: boolean;
}
interface CallOptions {
  json?: unknown;
  headers?: Record<string, string>;
  agent?: http.Agent;
}

/** One HTTP request on its own connection (or the given agent's), never throwing: the outcome is data. */
function call(url: string, opts: CallOptions = {}): Promise<CallResult> {
  return new Promise((resolve) => {
    const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    const req = http.request(url, {
      method: body ? 'POST' : 'GET',
      agent: opts.agent ?? false,
      headers: { ...opts.headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, body: text }));
      res.on('error', () => resolve({ status: res.statusCode, cut: true }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

function outcomeOf(r: CallResult): Outcome {
  if (r.cut) return 'cut';
  if (r.status !== undefined) return r.status;
  if (r.error === 'ECONNREFUSED') return 'refused';
  // Reset before any byte of a response: the server never took the request (a connection in the
  // listen backlog when it closed, or an idle kept-alive one it closed as the request went out).
  if (r.error === 'ECONNRESET' || r.error === 'socket hang up' || r.error === 'EPIPE') return 'reset';
  return `error ${r.error}` as unknown as Outcome;
}

async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An OpenAI-compatible chat endpoint that holds every answer until the test releases it. */
async function heldModel() {
  let arrivedCount = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      arrivedCount++;
      await released;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'Prime the pump with water first [1].' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 5 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: (n: number) => until(() => arrivedCount >= n),
    release: () => release(),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
