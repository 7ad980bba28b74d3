import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeKnowledgeBase, InMemoryManualRepo, InMemoryUsageRepo, ManualClock, MemoryLogger } from '../../../test/helpers/fakes.js';
import { MemoryCache } from '../../adapters/embedded/memory-cache.js';
import { MemoryManualSetVersions } from '../../adapters/embedded/memory-manual-set-versions.js';
import { MemoryUsageCounters } from '../../adapters/embedded/memory-usage-counters.js';
import { parseParameters } from '../../config/parameters.js';
import { VersionedManualRepo } from '../manuals/versioned-manual-repo.js';
import type { Manual } from '../model/types.js';
import type { AnswerWriter } from '../ports/answer-writer.js';
import type { Cache } from '../ports/cache.js';
import type { Metrics } from '../ports/metrics.js';
import { answerQuery, type AnswerQueryDeps } from './answer-query.js';
import { twoStepLookup } from './answer-cache-key.js';
import { ExtractiveAnswerWriter } from './extractive-answer-writer.js';
import { FallbackAnswerWriter } from '../../adapters/resilience/fallback-answer-writer.js';
import { noMetrics } from '../ports/metrics.js';
import { SingleFlight } from './single-flight.js';

const manual = (id: string, ownerId: string): Manual =>
  ({ id, ownerId, name: `${id}.pdf`, fileName: `${id}.pdf`, contentHash: id, blobKey: id, size: 1, pages: 1, chunks: 1, embeddedChunks: 0, status: 'completed', uploadDate: '2025-03-10T00:00:00.000Z', error: null }) as unknown as Manual;

function counting(): Metrics & { seen: string[] } {
  const seen: string[] = [];
  return { seen, count: (name, labels) => void (name === 'answers_total' && seen.push(`${name}:${labels?.cache_status}`)), observe() {}, value: async () => 0 };
}

async function world(opts: { cache?: Cache; writer?: AnswerWriter; daily?: number } = {}) {
  const kb = new FakeKnowledgeBase();
  await kb.indexChunks('m1', 'alice', 'Toaster', [
    { id: 'c1', manualId: 'm1', ownerId: 'alice', pageNumber: 4, pageLabel: null, heading: null, text: 'Hold the reset button for three seconds to reset the toaster.', ordinal: 0 },
  ]);
  const inner = new InMemoryManualRepo();
  const versions = new MemoryManualSetVersions();
  const manuals = new VersionedManualRepo(inner, versions, async (id) => (await inner.get(id, ['alice', 'shared']))?.ownerId ?? null, new MemoryLogger());
  await manuals.create(manual('m1', 'alice'));
  const metrics = counting();
  const deps: AnswerQueryDeps = {
    kb,
    embedder: null,
    answerWriter: opts.writer ?? new ExtractiveAnswerWriter(),
    manuals,
    manualVersions: manuals.readVersions,
    cache: opts.cache ?? new MemoryCache(),
    usage: new InMemoryUsageRepo(),
    counters: new MemoryUsageCounters(),
    metrics,
    clock: new ManualClock(),
    parameters: parseParameters({ DailyQuotaLimit: opts.daily ?? 100 }),
  };
  const ask = (question = 'How do I reset the toaster?') => answerQuery(deps, { userId: 'alice', question, includeSources: true, startedAt: performance.now() });
  return { deps, manuals, metrics, ask };
}

describe('answerQuery', () => {
  it('answers a miss, then a hit for the same question in another form; a change to the manuals makes a miss', async () => {
    const { ask, manuals, metrics } = await world();
    const first = await ask();
    assert.equal(first.cache_status, 'miss');
    assert.equal(first.sources[0]?.page_number, 4);
    const again = await ask('  how do I RESET the toaster ');
    assert.equal(again.cache_status, 'hit');
    assert.equal(again.answer, first.answer);
    assert.equal(again.question, 'how do I RESET the toaster', 'the question is echoed as asked');
    await manuals.update('m1', { embeddedChunks: 1 }); // an ingestion step
    assert.equal((await ask()).cache_status, 'miss');
    assert.deepEqual(metrics.seen, ['answers_total:miss', 'answers_total:hit', 'answers_total:miss']);
    assert.ok(first.response_time_ms >= 0 && again.response_time_ms >= 0);
  });

  it('the cache read and the quota reservation start together (one round trip on a shared store)', async () => {
    const { deps, ask } = await world();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const read = deps.manualVersions.read.bind(deps.manualVersions);
    deps.manualVersions = { ...deps.manualVersions, read: async (owners) => (order.push('versions'), await gate, read(owners)) };
    const reserve = deps.counters.checkAndCount.bind(deps.counters);
    deps.counters.checkAndCount = (...a) => (order.push('reserve'), reserve(...a));
    const answer = ask();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['versions', 'reserve'], 'reserved while the versions are still being read');
    release();
    assert.equal((await answer).cache_status, 'miss');
  });

  it('with a lookup that reads versions and answer together, uses it and not the two reads', async () => {
    const { deps, ask, manuals } = await world();
    let lookups = 0;
    const twoStep = twoStepLookup(deps.manualVersions, deps.cache);
    deps.answerLookup = manuals.lookupThrough({ lookup: (owners, base) => (lookups++, twoStep.lookup(owners, base)) });
    deps.manualVersions = { ...deps.manualVersions, read: () => Promise.reject(new Error('not to be read on its own')) };
    assert.equal((await ask()).cache_status, 'miss');
    assert.equal((await ask()).cache_status, 'hit');
    assert.equal(lookups, 2);
    deps.answerLookup = { lookup: () => Promise.reject(new Error('redis down')) };
    assert.equal((await ask()).cache_status, 'bypass', 'a lookup that fails: answered without the cache');
  });

  it('a stand-in answer (extractive-fallback) is given but never cached under the model key; the model is asked again', async () => {
    let down = true;
    const model: AnswerWriter = {
      id: 'openai:m',
      write: async () => {
        if (down) throw new Error('HTTP 500');
        return { answer: 'Hold the reset button [1].', cited: [0], source: 'model', usage: { inputTokens: 1, outputTokens: 1, model: 'm' } };
      },
    };
    const writer = new FallbackAnswerWriter(model, new ExtractiveAnswerWriter(), { logger: new MemoryLogger(), metrics: noMetrics, service: 'answer-endpoint' });
    const { ask } = await world({ writer });
    for (let i = 0; i < 2; i++) {
      const r = await ask();
      assert.deepEqual([r.answer_source, r.cache_status], ['extractive-fallback', 'miss']);
      assert.match(r.answer, /three seconds/, 'the extractive answer from the same passages');
    }
    down = false;
    const back = await ask();
    assert.deepEqual([back.answer_source, back.cache_status, back.answer], ['model', 'miss', 'Hold the reset button [1].']);
    const hit = await ask();
    assert.deepEqual([hit.answer_source, hit.cache_status, hit.answer], ['model', 'hit', 'Hold the reset button [1].']);
  });

  it('answer_source: extractive for the extractive writer, on a miss and on a hit', async () => {
    const { ask } = await world();
    assert.deepEqual([(await ask()).answer_source, (await ask()).answer_source], ['extractive', 'extractive']);
  });

  it('fails open: a cache that throws gives a bypass answer, never an error', async () => {
    const broken: Cache = { get: () => Promise.reject(new Error('ETIMEDOUT')), set: () => Promise.reject(new Error('down')), del: async () => {} };
    const { ask, metrics } = await world({ cache: broken });
    const r = await ask();
    assert.equal(r.cache_status, 'bypass');
    assert.equal(r.sources[0]?.page_number, 4);
    assert.deepEqual(metrics.seen, ['answers_total:bypass']);
    assert.equal(r.usage_info.daily_used, 1);
  });

  it('counts the question once, and gives the count back when answering fails', async () => {
    const failing: AnswerWriter = { id: 'failing', write: () => Promise.reject(new Error('model down')) };
    const { ask, deps } = await world({ writer: failing, daily: 1 });
    await assert.rejects(ask(), /model down/);
    assert.equal((await deps.counters.read('alice', deps.clock.now())).day.count, 0);
    assert.equal(deps.usage instanceof InMemoryUsageRepo && deps.usage.events.length, 0);
  });

  it('a stampede on one new question computes its answer once; the others share it (cache_status hit), each is counted', async () => {
    let writes = 0;
    const slow: AnswerWriter = {
      id: 'slow',
      write: async (_q, passages) => {
        writes++;
        await new Promise((r) => setTimeout(r, 30));
        return { answer: `From the manual: ${passages[0]!.chunk.text}`, cited: [0] };
      },
    };
    const { ask, deps, metrics } = await world({ writer: slow });
    deps.answerFlights = new SingleFlight();
    const answers = await Promise.all(Array.from({ length: 10 }, () => ask()));
    assert.equal(writes, 1, 'one retrieval and one answer for ten identical questions');
    assert.deepEqual(answers.map((a) => a.cache_status).sort(), ['miss', ...Array(9).fill('hit')].sort());
    assert.equal(new Set(answers.map((a) => a.answer)).size, 1);
    assert.equal(metrics.seen.filter((m) => m === 'answers_total:miss').length, 1);
    assert.equal((await deps.counters.read('alice', deps.clock.now())).day.count, 10, 'every question counts against the quota');
    assert.equal(deps.answerFlights.size, 0, 'nothing left in flight');
    // A failed computation fails its sharers too, and the next question starts afresh.
    let fail = true;
    const flaky: AnswerWriter = { id: 'slow', write: async (q, p) => (fail ? Promise.reject(new Error('model down')) : slow.write(q, p)) };
    deps.answerWriter = flaky;
    const failed = await Promise.allSettled(Array.from({ length: 3 }, () => ask('How do I reset the toaster now?')));
    assert.deepEqual(failed.map((f) => f.status), ['rejected', 'rejected', 'rejected']);
    fail = false;
    assert.equal((await ask('How do I reset the toaster now?')).cache_status, 'miss');
  });

  it('refuses over quota before any work, with usage_info', async () => {
    const { ask } = await world({ daily: 1 });
    assert.equal((await ask()).usage_info.daily_remaining, 0);
    await assert.rejects(ask(), (e: { code?: string; details?: { usage_info?: { daily_used: number } } }) => e.code === 'quota_exceeded' && e.details?.usage_info?.daily_used === 1);
  });
  it('a miss refused by admission control uses no quota (its reservation is given back); a hit is never refused', async () => {
    const { deps, ask } = await world({ daily: 3 });
    await ask(); // cached now
    let admitted = 0;
    let reservations = 0;
    const reserve = deps.counters.checkAndCount.bind(deps.counters);
    deps.counters.checkAndCount = (...a) => (reservations++, reserve(...a));
    deps.admission = {
      admit: () => {
        throw Object.assign(new Error('overloaded'), { code: 'unavailable' });
      },
    } as unknown as AnswerQueryDeps['admission'];
    const used = async () => (await deps.counters.read('alice', deps.clock.now())).day.count;
    assert.equal(await used(), 1);
    await assert.rejects(ask('How long do I hold the reset button?'), /overloaded/);
    assert.equal(reservations, 1, 'reserved together with the cache read');
    assert.equal(await used(), 1, 'and given back when refused');
    assert.equal((await ask()).cache_status, 'hit', 'the cached answer is served');
    assert.equal(reservations, 2);
    assert.equal(await used(), 2);
    deps.admission = { admit: () => (admitted++, { done() {} }) } as unknown as AnswerQueryDeps['admission'];
    assert.equal((await ask('How long do I hold the reset button?')).cache_status, 'miss');
    assert.equal(admitted, 1);
    await assert.rejects(ask('Where is the reset button?'), (e: { code?: string }) => e.code === 'quota_exceeded' || /quota/i.test(String(e)), 'over quota still refused');
    assert.equal(admitted, 1, 'refused by the quota before taking a place in the queue');
  });
});
