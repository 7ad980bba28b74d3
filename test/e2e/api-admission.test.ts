import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AnswerWriter } from '../../src/core/ports/answer-writer.js';
import { printerPdf } from '../helpers/api-pdfs.js';
import { uploadPdf } from '../helpers/ask-helpers.js';
import { ADMISSION_MIN_SAMPLES } from '../../src/core/perf/answer-admission.js';
import { startTestServer, type TestServer } from '../helpers/server.js';


/** A model that answers one question at a time, each taking `ms`: a queue forms behind it. */
function slowWriter(ms: number): AnswerWriter {
  let tail = Promise.resolve();
  return {
    id: 'slow-test-writer',
    write: (_q, passages) => {
      const done = tail.then(() => new Promise<void>((r) => setTimeout(r, ms)));
      tail = done;
      return done.then(() => ({ answer: `From the manual: ${passages[0]!.chunk.text}`, cited: [0] }));
    },
  };
}

async function serverWithManual(parameters: Record<string, unknown>) {
  const t = await startTestServer({ parameters: { DailyQuotaLimit: 0, MonthlyQuotaLimit: 0, ...parameters }, overrides: { answerWriter: slowWriter(100) } });
  const token = await t.signup();
  await uploadPdf(t, token, printerPdf(), 'printer.pdf');
  return { t, token };
}

/** `n` different questions at once (no cache hit can help), each with its own response. */
const flood = (t: TestServer, token: string, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => t.request('/api/query', { token, json: { question: `How do I replace the toner${' toner'.repeat(i + 1)}?` } })));

describe('admission control (EnablePerformanceOptimization)', () => {
  let t: TestServer;
  let token: string;
  before(async () => ({ t, token } = await serverWithManual({ EnablePerformanceOptimization: true, LatencyThreshold: 500 })));
  after(() => t.close());

  it('past LatencyThreshold of queued work, answers 503 unavailable with Retry-After at once; the rest are answered', async () => {
    // Answers first: past the warm-up and ADMISSION_MIN_SAMPLES, the server knows its service time (~100 ms here).
    const warmUp = [
      'How do I replace the toner?', 'How do I remove paper jams?', 'Where is the toner cartridge?', 'How do I pull out the toner cartridge?',
      'How do I open the front door for the toner?', 'Which handle holds the toner cartridge?', 'How do I remove jammed paper from tray two?',
      'How do I clear paper jams in tray two?', 'How should jammed paper be pulled out?', 'What colour is the toner cartridge handle?',
    ];
    assert.ok(warmUp.length > ADMISSION_MIN_SAMPLES);
    for (const question of warmUp) {
      assert.equal((await t.request('/api/query', { token, json: { question } })).status, 200);
    }
    const responses = await flood(t, token, 30);
    const statuses = responses.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 503), `only answers or 503: ${statuses}`);
    const shed = responses.filter((r) => r.status === 503);
    assert.ok(shed.length > 0, 'some requests are shed');
    assert.ok(statuses.filter((s) => s === 200).length >= 4, 'the queue that fits the threshold is served');
    for (const r of shed) {
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      const body = await r.json();
      assert.equal(body.error_type, 'unavailable');
      assert.equal(body.reason, 'overloaded');
    }
    assert.equal(await t.server.services.metrics.value('requests_shed_total'), shed.length);
  });

  it('never sheds a cached answer, even while new questions are being shed; a shed question uses no quota', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const cached = 'How do I replace the toner?'; // answered during the warm-up: in the cache
    const before = (await (await t.request('/api/user/quota', { token })).json()).quotas.daily.used as number;
    const [misses, hits] = await Promise.all([
      flood(t, token, 30),
      // Asked while the queue of new questions is past the threshold.
      new Promise((r) => setTimeout(r, 20)).then(() => Promise.all(Array.from({ length: 20 }, () => t.request('/api/query', { token, json: { question: cached } })))),
    ]);
    const shed = misses.filter((r) => r.status === 503).length;
    assert.ok(shed > 0, 'new questions past the threshold are shed');
    assert.deepEqual([...new Set(hits.map((r) => r.status))], [200], 'every cached answer is served');
    assert.ok(hits.every((r) => r.headers.get('retry-after') === null));
    const cacheStatus = await Promise.all(hits.map(async (r) => (await r.json()).cache_status));
    assert.deepEqual([...new Set(cacheStatus)], ['hit']);
    const afterQuota = (await (await t.request('/api/user/quota', { token })).json()).quotas.daily.used as number;
    assert.equal(afterQuota - before, 50 - shed, 'only answered questions count against the quota');
  });

  it('once the queue drains, questions are admitted again', async () => {
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await t.request('/api/query', { token, json: { question: 'Where are paper jams removed?' } })).status, 200);
  });
});

describe('admission control off (minimal profile)', () => {
  it('queues every question and answers them all', async () => {
    const { t, token } = await serverWithManual({ LatencyThreshold: 500 });
    try {
      const responses = await flood(t, token, 20);
      assert.deepEqual([...new Set(responses.map((r) => r.status))], [200]);
      assert.equal(await t.server.services.metrics.value('requests_shed_total'), 0);
    } finally {
      await t.close();
    }
  });
});
