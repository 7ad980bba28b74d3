import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { childPids, spawnServer, type ServerProcess } from '../helpers/server-processes.js';

const json = (token: string | null, body?: unknown): RequestInit => ({
  method: body === undefined ? 'GET' : 'POST',
  headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const pdfFor = (i: number) =>
  buildPdf([
    [`Printer model ${i}: replacing the toner`, 'Open the front door and pull the toner cartridge out by its blue handle.'],
    [`Printer model ${i}: paper jams`, 'Remove jammed paper from tray two by pulling it slowly towards you.'],
  ]);

describe('two `npm start` processes on one data dir', () => {
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'manuel-multi-'));
    const env = { MANUEL_DATA_DIR: dataDir, DailyQuotaLimit: '0', MonthlyQuotaLimit: '0', RateLimitRequests: '1000000', SignupRequestsPerIpPerHour: '1000' };
    // Started at the same instant on an empty data dir: both create the schema and the JWT secret.
    [a, b] = await Promise.all([spawnServer(env), spawnServer(env)]);
  });
  after(async () => {
    assert.deepEqual(await Promise.all([a.stop(), b.stop()]), [0, 0], 'both drain and exit 0');
    assert.deepEqual(readdirSync(dataDir).filter((f) => f.startsWith('jwt-secret.')), [], 'no candidate secret left behind');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts on one process the access and refresh tokens the other issued', async () => {
    const s = await (await fetch(a.url + '/api/auth/signup', json(null, { email: 'both@example.test', password: 'correct horse battery' }))).json();
    assert.equal((await fetch(b.url + '/api/manuals', json(s.access_token))).status, 200);
    const refreshed = await fetch(b.url + '/api/auth/refresh', json(null, { refresh_token: s.refresh_token }));
    assert.equal(refreshed.status, 200);
    const again = await fetch(a.url + '/api/auth/refresh', json(null, { refresh_token: s.refresh_token }));
    assert.equal(again.status, 401, 'a refresh token is single-use across processes too');
  });

  it('ingests each job exactly once, and ~200 concurrent mixed requests across both never see SQLITE_BUSY', async () => {
    const s = await (await fetch(a.url + '/api/auth/signup', json(null, { email: 'load@example.test', password: 'correct horse battery' }))).json();
    const token = s.access_token as string;
    const upload = async (url: string, i: number) => {
      const f = new FormData();
      f.append('file', new Blob([new Uint8Array(pdfFor(i))], { type: 'application/pdf' }), `printer-${i}.pdf`);
      const res = await fetch(url + '/api/manuals/upload', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: f });
      assert.equal(res.status, 202);
      return (await res.json()).job_id as string;
    };
    // Both ingest workers poll the same queue while the uploads and the load below run.
    const jobIds = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => upload(i % 2 ? b.url : a.url, i)));

    const servers = [a.url, b.url];
    const requests = Array.from({ length: 200 }, (_, i) => {
      const url = servers[i % 2]!;
      switch (i % 5) {
        case 0:
        case 1:
          return fetch(url + '/api/query', json(token, { question: `How do I replace the toner? (${i})` }));
        case 2:
          return fetch(url + '/api/manuals', json(token));
        case 3:
          return fetch(url + '/api/user/usage', json(token));
        default:
          return fetch(url + '/api/auth/signup', json(null, { email: `mixed-${i}@example.test`, password: 'correct horse battery' }));
      }
    });
    const responses = await Promise.all(requests);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    const failures = responses.map((r, i) => ({ status: r.status, body: bodies[i]! })).filter((r) => r.status >= 500 || /SQLITE_BUSY|database is locked/i.test(r.body));
    assert.deepEqual(failures, []);
    assert.ok(responses.every((r) => r.status < 300), `statuses: ${[...new Set(responses.map((r) => r.status))].join(',')}`);

    const deadline = Date.now() + 60_000;
    for (const id of jobIds) {
      for (;;) {
        const st = await (await fetch(b.url + `/api/ingestion/status?job_id=${id}`, json(token))).json();
        if (st.status === 'completed') break;
        assert.notEqual(st.status, 'failed');
        assert.ok(Date.now() < deadline, `job ${id} still ${st.status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const db = openDatabase(join(dataDir, 'manuel.db'));
    try {
      const rows = db.prepare(`SELECT attempts FROM jobs WHERE id IN (${jobIds.map(() => '?').join(',')})`).all(...jobIds) as { attempts: number }[];
      assert.deepEqual(rows.map((r) => r.attempts), [1, 1, 1, 1, 1, 1], 'each job claimed once');
      const chunks = db.prepare('SELECT manual_id, COUNT(*) AS n FROM kb_chunks GROUP BY manual_id').all() as { n: number }[];
      assert.equal(chunks.length, 6);
      assert.equal(new Set(chunks.map((c) => c.n)).size, 1, 'same chunk count for every (same-shaped) manual: none indexed twice');
    } finally {
      db.close();
    }
    assert.doesNotMatch(a.stderr() + b.stderr(), /SQLITE_BUSY|database is locked/);
  });
});

describe('manuel serve --workers 2 (node:cluster)', () => {
  it('restarts a worker that dies, and on SIGTERM drains both and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-cluster-'));
    const primary = await spawnServer({ MANUEL_DATA_DIR: dataDir, MANUEL_WORKERS: '2' });
    try {
      const until = async (cond: () => boolean, what: string) => {
        const end = Date.now() + 30_000;
        while (!cond()) {
          assert.ok(Date.now() < end, `${what}: ${primary.stderr()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      await until(() => childPids(primary.child.pid!).length === 2, 'two workers');
      const [first] = childPids(primary.child.pid!);
      process.kill(first!, 'SIGKILL');
      await until(() => !childPids(primary.child.pid!).includes(first!) && childPids(primary.child.pid!).length === 2, 'a new worker replaces the killed one');
      // A fresh connection: a kept-alive one from the start-up polling may lead to the killed worker.
      const status = await new Promise<number>((resolve, reject) => http.get(primary.url + '/health', { agent: false }, (r) => (r.resume(), resolve(r.statusCode!))).on('error', reject));
      assert.equal(status, 200);
      assert.equal(await primary.stop(), 0, primary.stderr());
    } finally {
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('GET /metrics under manuel serve --workers 2', () => {
  it("answers with every worker's figures, whichever worker the scrape reaches", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-cluster-metrics-'));
    const primary = await spawnServer({ MANUEL_DATA_DIR: dataDir, MANUEL_WORKERS: '2' });
    try {
      const end = Date.now() + 30_000;
      while (childPids(primary.child.pid!).length < 2) {
        assert.ok(Date.now() < end, `two workers: ${primary.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // A fresh connection per request spreads them over both workers.
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) =>
          http
            .get(primary.url + path, { agent: false }, (r) => {
              let body = '';
              r.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve({ status: r.statusCode!, body }));
            })
            .on('error', reject),
        );
      for (let i = 0; i < 40; i++) assert.equal((await get('/api/manuals/abc')).status, 401);
      const counts = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const scrape = await get('/metrics');
        assert.equal(scrape.status, 200, scrape.body);
        const line = scrape.body.split('\n').find((l) => l.startsWith('manuel_http_requests_total{route="/api/manuals/:id",method="GET",status="401"} '));
        counts.add(Number(line?.split(' ')[1]));
      }
      assert.deepEqual([...counts], [40], 'the same total from every scrape: the sum over both workers');
      assert.equal(await primary.stop(), 0, primary.stderr());
    } finally {
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('manuel serve --workers 2 without Redis: rate limits exact across the workers', () => {
  it('one client address gets RateLimitRequests answers in all, whichever worker each request reaches (SQLite counters)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-cluster-limits-'));
    const primary = await spawnServer({ MANUEL_DATA_DIR: dataDir, MANUEL_WORKERS: '2', EnableAdvancedSecurity: 'true', RateLimitRequests: '30', RateLimitWindowMinutes: '5' });
    try {
      const end = Date.now() + 30_000;
      while (childPids(primary.child.pid!).length < 2) {
        assert.ok(Date.now() < end, `two workers: ${primary.stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // A fresh connection per request spreads them over both workers.
      const status = () => new Promise<number>((resolve, reject) => http.get(primary.url + '/api/manuals/abc', { agent: false }, (r) => (r.resume(), resolve(r.statusCode!))).on('error', reject));
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push(await status());
      const limited = statuses.filter((s) => s === 429).length;
      assert.equal(60 - limited, 30, `answers other than 429: ${JSON.stringify(statuses)}`);
      assert.ok(statuses.slice(30).every((s) => s === 429), 'every request past the limit is refused');
      assert.equal(await primary.stop(), 0, primary.stderr());
    } finally {
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('manuel serve --workers 2 with embeddings: one model, in the primary', () => {
  it('both workers embed through the primary (vectors for every chunk, questions answered by either), and only the primary holds the model', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-cluster-embed-'));
    const primary = await spawnServer(
      { MANUEL_DATA_DIR: dataDir, MANUEL_WORKERS: '2', EmbeddingWorkers: '1', DailyQuotaLimit: '0', MonthlyQuotaLimit: '0' },
      { keywordOnly: false, timeoutMs: 120_000 },
    );
    try {
      const signup = await (await fetch(`${primary.url}/api/auth/signup`, json(null, { email: 'embed@example.test', password: 'correct horse battery' }))).json();
      const token = signup.access_token as string;
      // Fresh connections (agent: false semantics through separate fetches): round-robin spreads them over both workers.
      const jobs = [];
      for (let i = 0; i < 4; i++) {
        const f = new FormData();
        f.append('file', new Blob([new Uint8Array(pdfFor(i))], { type: 'application/pdf' }), `printer-${i}.pdf`);
        jobs.push(await (await fetch(`${primary.url}/api/manuals/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, connection: 'close' }, body: f })).json());
      }
      const end = Date.now() + 120_000;
      for (const j of jobs) {
        for (;;) {
          const s = await (await fetch(`${primary.url}/api/ingestion/status?job_id=${j.job_id}`, { headers: { authorization: `Bearer ${token}`, connection: 'close' } })).json();
          if (s.status === 'completed') break;
          assert.notEqual(s.status, 'failed', JSON.stringify(s));
          assert.ok(Date.now() < end, 'ingestion finished in time');
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const db = openDatabase(join(dataDir, 'manuel.db'));
      try {
        const until = Date.now() + 60_000;
        let counts = { chunks: 0, vectors: -1 };
        while (counts.chunks !== counts.vectors && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 200));
          counts = db.prepare('SELECT (SELECT count(*) FROM kb_chunks) AS chunks, (SELECT count(*) FROM kb_vectors) AS vectors').get() as typeof counts;
        }
        assert.ok(counts.chunks > 0 && counts.vectors === counts.chunks, `every chunk has its vector: ${JSON.stringify(counts)}`);
      } finally {
        db.close();
      }
      for (let i = 0; i < 6; i++) {
        const r = await fetch(`${primary.url}/api/query`, { ...json(token, { question: `How do I clear a paper jam on model ${i}?` }), headers: { ...json(token, {}).headers, connection: 'close' } });
        assert.equal(r.status, 200);
      }
      // The model (~80 MB and more) is loaded once, in the primary; the workers have none.
      const workers = childPids(primary.child.pid!);
      assert.equal(workers.length, 2);
      const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;
      assert.ok(workers.every((w) => threads(w) < threads(primary.child.pid!)), `embedding threads only in the primary: ${[primary.child.pid!, ...workers].map(threads)}`);
      assert.equal(await primary.stop(), 0, primary.stderr());
    } finally {
      if (primary.child.exitCode === null) primary.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
