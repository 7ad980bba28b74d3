import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ask, startUpload } from '../helpers/ask-helpers.js';
import { buildPdf, fanOutPdf } from '../helpers/api-pdfs.js';
import { repoRoot } from '../helpers/eval-manuals.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { dropPrefix, testPrefix, TEST_REDIS_URL } from '../helpers/redis-test.js';
import { spawnServer, type ServerProcess } from '../helpers/server-processes.js';
import { startTestServer, TEST_PASSWORD, uniqueEmail, type TestServer } from '../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Issue 9's faults through the real wiring (src/wiring/embedded.ts), every part real at once: the
 * worker-thread PDF reader, the dead-letter queue, the SQLite error tracker, the webhook notifier
 * posting to a real receiver, the breakers, /health/deep and /metrics. Each part has its own tests
 * with stand-ins for the others; these check that they are wired to each other.
 */

/** The value of one sample line of the Prometheus exposition (`name{labels}`), or null when absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

describe('full wiring: a PDF that hangs the parser, and a failing answer endpoint', () => {
  let t: TestServer;
  let hooks: WebhookReceiver;
  let fake: FakeOpenAiServer;
  let admin: string;
  let alice: string;
  let bob: string;

  before(async () => {
    hooks = await startWebhookReceiver();
    fake = await startFakeOpenAiServer({ chatReply: 'Hold the reset button for ten seconds [1].' });
    const adminEmail = uniqueEmail('root');
    t = await startTestServer({
      parameters: {
        AdminEmail: adminEmail,
        Environment: 'test',
        EnableAdvancedErrorHandling: true,
        EnableXRayTracing: true, // monitoring and tracing on too: everything that reports a failure is there
        AlertWebhookUrl: hooks.url,
        TextModelEndpoint: fake.url,
        TextModelId: 'fake',
        ReadTimeout: 1000,
        MaxRetryAttempts: 3,
        BaseRetryDelay: 20,
        MaxRetryDelay: 100,
        DailyQuotaLimit: 0,
        MonthlyQuotaLimit: 0,
      },
      // The wiring's own choice of reader (a worker thread under EnableAdvancedErrorHandling), with a short stall timeout.
      pdfStallTimeoutMs: 1500,
      worker: { pollMs: 50 },
      breakers: { modelPauseMs: 60_000 }, // stays open for the whole test
    });
    admin = await t.signup(adminEmail);
    alice = await t.signup();
    bob = await t.signup();
  });
  after(async () => {
    await t?.close();
    await hooks?.close();
    await fake?.close();
  });

  const metricsText = async () => {
    const res = await t.request('/metrics');
    assert.equal(res.status, 200);
    return res.text();
  };

  it('the hanging PDF: MaxRetryAttempts attempts, the DLQ, one dlq webhook, a job:ingest error record, dlq_size 1; the other upload is searchable', async () => {
    assert.equal(t.server.services.pdfReader.constructor.name, 'WorkerPdfReader', 'the wiring chose the worker-thread reader');
    const good = buildPdf([['Router guide', 'Press the reset button for ten seconds to restore the factory settings.']]);
    const [stuck, g] = await Promise.all([startUpload(t, alice, fanOutPdf(), 'fan-out.pdf'), startUpload(t, bob, good, 'router.pdf')]);
    const [bad, ok] = await Promise.all([t.waitForJob(alice, stuck.job_id, 60_000), t.waitForJob(bob, g.job_id)]);

    assert.equal(ok.status, 'completed', JSON.stringify(ok));
    const found = await ask(t, bob, 'How do I restore the factory settings?');
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.sources[0]?.manual_name, 'router.pdf');

    assert.equal(bad.status, 'failed');
    assert.equal(bad.attempts, 3);
    assert.match(bad.failure_reasons[0], /^pdf_timeout: /);

    const dlq = await (await t.request('/api/admin/dlq', { token: admin })).json();
    assert.equal(dlq.size, 1);
    assert.equal(dlq.dead_letters[0].job_id, stuck.job_id);
    assert.equal(dlq.dead_letters[0].attempts, 3);

    // The webhook notifier delivers after the job is given up: wait for the dlq alert, then a little for a duplicate.
    const deadline = Date.now() + 10_000;
    while (!hooks.delivered.some((h) => h.body.kind === 'dlq') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1000));
    const dlqHooks = hooks.delivered.filter((h) => h.body.kind === 'dlq');
    assert.equal(dlqHooks.length, 1, `exactly one dlq webhook: ${JSON.stringify(hooks.delivered.map((h) => h.body))}`);
    const hook = dlqHooks[0]!.body;
    assert.equal(typeof hook.text, 'string', 'readable by Slack-compatible receivers');
    assert.equal(hook.fields.job_id, stuck.job_id, 'names the job');
    assert.equal(hook.environment, 'test');
    assert.equal(hooks.attempts.filter((h) => h.body.kind === 'dlq').length, 1, 'delivered at the first attempt, never re-sent');

    const errors = await t.request('/api/admin/errors', { token: admin });
    assert.equal(errors.status, 200);
    const records = ((await errors.json()) as { errors: Record<string, any>[] }).errors;
    const ingest = records.filter((r) => r.where === 'job:ingest');
    assert.equal(ingest.length, 1, JSON.stringify(records));
    assert.equal(ingest[0]!.error_type, 'pdf_timeout');

    const text = await metricsText();
    assert.equal(sample(text, 'manuel_dlq_size{queue="ingest"}'), 1);
    assert.equal(sample(text, 'manuel_ingest_queue_depth'), 0);

    // The admin dashboard reads the same DLQ and error tracker.
    const dash = await t.request('/api/admin/dashboard', { token: admin });
    assert.equal(dash.status, 200, await dash.clone().text());
    const board = (await dash.json()) as { dlq_size: number; top_errors: Record<string, any>[] };
    assert.equal(board.dlq_size, 1);
    assert.ok(board.top_errors.some((e) => e.where === 'job:ingest' && e.error_type === 'pdf_timeout'), JSON.stringify(board.top_errors));
  });

  it('the answer endpoint answering 500: extractive fallback; after the threshold the breaker is open on /metrics and /health/deep', async () => {
    fake.chatReply = { status: 500 };
    const before = fake.chatRequests.length;
    // New questions each time (a cached answer would not reach the endpoint).
    for (const q of ['How can I restore the factory settings?', 'How long do I press the reset button?', 'Which button restores the factory settings?']) {
      const r = await ask(t, bob, q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.answer_source, 'extractive-fallback', JSON.stringify(r.body));
      assert.match(r.body.answer, /reset button/);
      assert.equal(r.body.sources[0]?.manual_name, 'router.pdf');
    }
    // 3 attempts, then 2 (the fifth consecutive failure opens the breaker), then none.
    assert.equal(fake.chatRequests.length - before, 5);

    const text = await metricsText();
    assert.equal(sample(text, 'manuel_breaker_state{service="answer-endpoint",state="open"}'), 1);
    assert.equal(sample(text, 'manuel_breaker_state{service="answer-endpoint",state="closed"}'), 0);
    assert.equal(sample(text, 'manuel_breaker_failures{service="answer-endpoint"}'), 5);

    const deep = await t.request('/health/deep', { token: admin });
    assert.equal(deep.status, 200);
    const dep = ((await deep.json()) as { dependencies: Record<string, any>[] }).dependencies.find((d) => d.name === 'answer-endpoint');
    assert.equal(dep?.breaker.state, 'open');
    assert.equal(dep?.status, 'degraded');

    // A stand-in answer is not a server error: no error record for /api/query, no error webhook.
    const records = ((await (await t.request('/api/admin/errors', { token: admin })).json()) as { errors: Record<string, any>[] }).errors;
    assert.deepEqual(records.filter((r) => /query/.test(r.where)), []);
  });
});

describe('the full profile file (infra/parameters-full.json) as `npm start` runs it', () => {
  const prefix = testPrefix('full-profile');
  let dataDir = '';
  let server: ServerProcess | null = null;
  let fake: FakeOpenAiServer;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'manuel-full-'));
    fake = await startFakeOpenAiServer();
    // The profile file as is; the environment adds what a deployment adds (names of the same parameters).
    server = await spawnServer({
      TextModelEndpoint: fake.url,
      TextModelId: 'fake',
      MANUEL_PARAMETERS: join(repoRoot, 'infra', 'parameters-full.json'),
      MANUEL_DATA_DIR: dataDir,
      RedisKeyPrefix: prefix,
    });
  });
  after(async () => {
    await server?.stop();
    await fake?.close();
    await dropPrefix(TEST_REDIS_URL, prefix);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every operator endpoint answers an admin; a question is answered (extractive fallback while the endpoint fails, then the model, cached in Redis) with a traceparent; SIGTERM exits 0', async () => {
    const url = server!.url;
    const signup = await fetch(url + '/api/auth/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('root'), password: TEST_PASSWORD }),
    });
    assert.equal(signup.status, 201, await signup.clone().text());
    const session = (await signup.json()) as { access_token: string; user: { is_admin: boolean } };
    assert.equal(session.user.is_admin, true, 'the first account');
    const auth = { authorization: `Bearer ${session.access_token}` };

    // The first worker listens before the second has started; a scrape in that moment waits for the
    // second and may answer 503 (prom-client's cluster collection). Wait until both workers answer.
    for (let i = 0; i < 60 && (await fetch(url + '/metrics', { headers: auth })).status !== 200; i++) await new Promise((r) => setTimeout(r, 500));
    for (const path of ['/health', '/health/deep', '/metrics', '/api/admin/dashboard', '/api/admin/errors', '/api/admin/dlq']) {
      const res = await fetch(url + path, { headers: auth });
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
      assert.match(res.headers.get('traceparent') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/, `${path} traceparent`);
    }
    const metrics = await (await fetch(url + '/metrics', { headers: auth })).text();
    assert.equal(sample(metrics, 'manuel_dlq_size{queue="ingest"}'), 0, 'the DLQ is wired');
    const deep = (await (await fetch(url + '/health/deep', { headers: auth })).json()) as { dependencies: { name: string; status: string }[] };
    assert.equal(deep.dependencies.find((d) => d.name === 'redis')?.status, 'ok', JSON.stringify(deep));

    const form = new FormData();
    const pdf = buildPdf([['Dishwasher', 'Clean the filter at the bottom of the dishwasher once a month under running water.']]);
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'dishwasher.pdf');
    const up = await fetch(url + '/api/manuals/upload', { method: 'POST', headers: auth, body: form });
    assert.equal(up.status, 202, await up.clone().text());
    const { job_id } = (await up.json()) as { job_id: string };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const s = (await (await fetch(`${url}/api/ingestion/status?job_id=${job_id}`, { headers: auth })).json()) as { status: string };
      if (s.status === 'completed') break;
      assert.notEqual(s.status, 'failed', JSON.stringify(s));
      assert.ok(Date.now() < deadline, `ingestion still ${s.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const query = async () => {
      const res = await fetch(url + '/api/query', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'How often should I clean the dishwasher filter?' }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(res.headers.get('traceparent') ?? '', /^00-[0-9a-f]{32}-/);
      return (await res.json()) as { answer: string; answer_source: string; cache_status: string; sources: { manual_name: string }[] };
    };
    // The answer endpoint answers 500: the extractive answer, and (EnableRedisCache) it is not shared as the model's.
    fake.chatReply = { status: 500 };
    const fallback = await query();
    assert.equal(fallback.answer_source, 'extractive-fallback');
    assert.match(fallback.answer, /filter/);
    assert.equal(fallback.sources[0]?.manual_name, 'dishwasher.pdf');
    assert.ok(fake.chatRequests.length >= 1, 'the endpoint was tried');
    // It recovers (fewer failures than the breaker's threshold: still closed): the same question reaches the
    // model, so the stand-in was not cached; the model's answer is cached in Redis and served to the next asker.
    fake.chatReply = 'Clean the filter once a month [1].';
    const model = await query();
    assert.equal(model.answer_source, 'model');
    assert.equal(model.cache_status, 'miss', 'a stand-in answer is not cached in Redis');
    const hit = await query();
    assert.equal(hit.cache_status, 'hit');
    assert.equal(hit.answer, 'Clean the filter once a month [1].');

    const raw = new Redis(TEST_REDIS_URL);
    try {
      let cursor = '0';
      let found = 0;
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        found += keys.length;
        cursor = next;
      } while (cursor !== '0' && found === 0);
      assert.ok(found > 0, 'keys under the prefix');
    } finally {
      raw.disconnect();
    }

    const code = await server!.stop();
    server = null;
    assert.equal(code, 0);
  });
});
