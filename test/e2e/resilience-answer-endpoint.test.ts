import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ask, uploadPdf } from '../helpers/ask-helpers.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const READ_TIMEOUT = 600;
const PAUSE = 1500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pdf = buildPdf([
  ['Descaling', 'To descale the coffee machine, fill the tank with vinegar and run two empty cycles.'],
  ['Milk frother', 'Rinse the milk frother with warm water after every use and wipe the steam wand.'],
  ['Grinder', 'Set the grinder to a finer setting when the espresso runs too fast.'],
]);
let n = 0;
/** A new question each time (a cached answer would not reach the endpoint). */
const question = () => `How do I descale the coffee machine, step ${++n}?`;

describe('answer endpoint failing: extractive fallback, retries, breaker, /health/deep and reset (EnableAdvancedErrorHandling)', () => {
  let fake: FakeOpenAiServer;
  let t: TestServer;
  let admin: string;
  let user: string;

  before(async () => {
    fake = await startFakeOpenAiServer({ chatReply: 'Fill the tank with vinegar and run two empty cycles [1].' });
    t = await startTestServer({
      parameters: {
        EnableAdvancedErrorHandling: true,
        TextModelEndpoint: fake.url,
        TextModelId: 'fake',
        ReadTimeout: READ_TIMEOUT,
        MaxRetryAttempts: 3,
        BaseRetryDelay: 10,
        MaxRetryDelay: 40,
        DailyQuotaLimit: 0,
        MonthlyQuotaLimit: 0,
      },
      breakers: { modelPauseMs: PAUSE }, // threshold: the default, 5
    });
    admin = await t.signup(); // the first account is the admin
    user = await t.signup();
    await uploadPdf(t, user, pdf, 'coffee.pdf');
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  const deep = async (token = admin) => {
    const res = await t.request('/health/deep', { token });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const answerDep = async () => (await deep()).body.dependencies.find((d: { name: string }) => d.name === 'answer-endpoint');
  const chats = () => fake.chatRequests.length;

  it('healthy: the model answers and /health/deep shows the endpoint ok, breaker closed', async () => {
    const r = await ask(t, user, question());
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.answer_source, 'model');
    assert.match(r.body.answer, /vinegar/);
    const d = await deep();
    assert.equal(d.status, 200);
    const names = d.body.dependencies.map((x: { name: string }) => x.name);
    assert.deepEqual(names, ['database', 'transcriber', 'answer-endpoint', 'ingest']);
    // The transcriber is pocketsphinx here; on a machine without it (or ffmpeg) it is down and the whole degraded.
    const allOk = d.body.dependencies.every((x: { status: string }) => x.status === 'ok');
    assert.equal(d.body.status, allOk ? 'ok' : 'degraded', JSON.stringify(d.body));
    const a = d.body.dependencies[2];
    assert.equal(a.status, 'ok');
    assert.equal(typeof a.latency_ms, 'number');
    assert.deepEqual(a.breaker, { service: 'answer-endpoint', state: 'closed', failures: 0, opened_at: null });
    assert.equal(typeof d.body.dependencies.at(-1).queue_depth, 'number');
    const probes = fake.modelRequests;
    assert.ok(probes >= 1);
    await deep();
    await deep();
    assert.equal(fake.modelRequests, probes, 'probe results are reused for 2 s: deep health cannot hammer the endpoint');
  });

  it('both routes and answer_source are in the OpenAPI document', async () => {
    const doc = (await (await t.request('/api/openapi.json')).json()) as Record<string, any>;
    assert.ok(doc.paths['/health/deep'].get.responses['200']);
    assert.ok(doc.paths['/health/circuit-breakers/{service}/reset'].post.responses['404']);
    assert.deepEqual(doc.components.schemas.QueryResponse.properties.answer_source.enum, ['model', 'extractive', 'extractive-fallback']);
    assert.ok(doc.components.schemas.DeepHealth);
  });

  it('only an admin: 401 without a token, 403 for a user, on deep health and on reset', async () => {
    assert.equal((await t.request('/health/deep')).status, 401);
    const forbidden = await t.request('/health/deep', { token: user });
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { error_type: string }).error_type, 'forbidden');
    assert.equal((await t.request('/health/circuit-breakers/answer-endpoint/reset', { method: 'POST', token: user })).status, 403);
    assert.equal((await t.request('/health/circuit-breakers/answer-endpoint/reset', { method: 'POST' })).status, 401);
    assert.equal((await t.request('/health')).status, 200, '/health stays open and cheap');
  });

  it('500s: retried MaxRetryAttempts times, then the extractive answer, marked and not cached; the breaker opens after 5 failures', async () => {
    fake.chatReply = { status: 500 };
    let before = chats();
    const q = question();
    const first = await ask(t, user, q);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.answer_source, 'extractive-fallback');
    assert.match(first.body.answer, /vinegar/, 'the extractive answer from the same passages');
    assert.equal(first.body.sources[0].page_number, 1);
    assert.equal(first.body.cache_status, 'miss');
    assert.equal(chats() - before, 3, 'three attempts');

    before = chats();
    const second = await ask(t, user, q);
    assert.equal(second.body.answer_source, 'extractive-fallback');
    assert.equal(second.body.cache_status, 'miss', 'a stand-in answer was not cached');
    assert.equal(chats() - before, 2, 'the fifth consecutive failure opened the breaker: no third attempt');

    before = chats();
    const third = await ask(t, user, question());
    assert.equal(third.body.answer_source, 'extractive-fallback');
    assert.equal(chats() - before, 0, 'open: the endpoint is not called at all');

    const a = await answerDep();
    assert.equal(a.breaker.state, 'open');
    assert.equal(a.breaker.failures, 5);
    assert.ok(a.breaker.opened_at);
    assert.equal(a.status, 'degraded', 'reachable (GET /v1/models answers) but skipped');
    assert.equal(await t.server.services.metrics.value('breaker_transitions_total', { service: 'answer-endpoint', to: 'open' }), 1);
    assert.ok((await t.server.services.metrics.value('fallbacks_total', { service: 'answer-endpoint' })) >= 3);
  });

  it('half-opens after the pause: a failed trial opens it again; the admin reset closes it', async () => {
    await sleep(PAUSE + 100);
    assert.equal((await answerDep()).breaker.state, 'half_open');
    const before = chats();
    const r = await ask(t, user, question());
    assert.equal(r.body.answer_source, 'extractive-fallback');
    assert.equal(chats() - before, 1, 'one trial call, no retry once it failed');
    assert.equal((await answerDep()).breaker.state, 'open');

    const unknown = await t.request('/health/circuit-breakers/no-such-thing/reset', { method: 'POST', token: admin });
    assert.equal(unknown.status, 404);
    const body = (await unknown.json()) as { error_type: string; details: { known: string[] } };
    assert.equal(body.error_type, 'not_found');
    assert.deepEqual(body.details.known, ['answer-endpoint']);

    const reset = await t.request('/health/circuit-breakers/answer-endpoint/reset', { method: 'POST', token: admin });
    assert.equal(reset.status, 200);
    const closed = (await reset.json()) as Record<string, unknown>;
    assert.deepEqual([closed.service, closed.state, closed.failures], ['answer-endpoint', 'closed', 0]);
    assert.equal((await answerDep()).breaker.state, 'closed');
    const called = chats();
    await ask(t, user, question());
    assert.equal(chats() - called, 3, 'closed: the endpoint is called (and retried) again');
  });

  it('hangs: the answer still arrives within ReadTimeout plus a little, extractively; five hangs open the breaker', async () => {
    await t.request('/health/circuit-breakers/answer-endpoint/reset', { method: 'POST', token: admin });
    fake.chatReply = 'Fill the tank with vinegar [1].';
    fake.delayMs = 30_000;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const r = await ask(t, user, question());
      const took = performance.now() - started;
      assert.equal(r.status, 200);
      assert.equal(r.body.answer_source, 'extractive-fallback');
      assert.ok(took >= READ_TIMEOUT - 50 && took < READ_TIMEOUT + 1500, `answered after ${Math.round(took)} ms (ReadTimeout ${READ_TIMEOUT})`);
    }
    const started = performance.now();
    const r = await ask(t, user, question());
    assert.equal(r.body.answer_source, 'extractive-fallback');
    assert.ok(performance.now() - started < READ_TIMEOUT, 'open: no wait for the endpoint');
    const a = await answerDep();
    assert.equal(a.breaker.state, 'open');
    assert.notEqual(a.status, 'ok');
  });

  it('recovers: after the pause the trial succeeds, model answers return and are cached again', async () => {
    fake.delayMs = 0;
    await sleep(PAUSE + 100);
    const q = question();
    const r = await ask(t, user, q);
    assert.equal(r.body.answer_source, 'model', JSON.stringify(r.body));
    assert.equal(r.body.cache_status, 'miss');
    assert.equal((await ask(t, user, q)).body.cache_status, 'hit');
    await sleep(2100); // past the probe cache
    const probes = fake.modelRequests;
    await Promise.all([deep(), deep(), deep()]);
    assert.equal(fake.modelRequests - probes, 1, 'concurrent callers share one round of probes');
    const a = await answerDep();
    assert.equal(a.breaker.state, 'closed');
    assert.equal(a.status, 'ok');
    assert.equal(await t.server.services.metrics.value('breaker_transitions_total', { service: 'answer-endpoint', to: 'closed' }), 2, 'the reset and the recovery');
  });
});

describe('EnableAdvancedErrorHandling off', () => {
  it('no breakers (reset answers 404), and a failing model still gets the extractive answer', async () => {
    const fake = await startFakeOpenAiServer({ chatReply: { status: 503 } });
    const t = await startTestServer({ parameters: { TextModelEndpoint: fake.url, TextModelId: 'fake', DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 } });
    try {
      const admin = await t.signup();
      await uploadPdf(t, admin, pdf, 'coffee.pdf');
      const r = await ask(t, admin, 'How do I descale the coffee machine?');
      assert.equal(r.body.answer_source, 'extractive-fallback');
      assert.equal(fake.chatRequests.length, 1, 'one attempt: no retry policy');
      assert.equal((await t.request('/health/circuit-breakers/answer-endpoint/reset', { method: 'POST', token: admin })).status, 404);
      const d = (await (await t.request('/health/deep', { token: admin })).json()) as { dependencies: { name: string; breaker: unknown }[] };
      assert.equal(d.dependencies.find((x) => x.name === 'answer-endpoint')!.breaker, null);
    } finally {
      await t.close();
      await fake.close();
    }
  });
});
