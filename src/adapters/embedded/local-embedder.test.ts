import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManuelError } from '../../core/errors.js';
import { LocalEmbedder } from './local-embedder.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('LocalEmbedder', () => {
  let embedder: LocalEmbedder;
  before(async () => {
    embedder = await LocalEmbedder.create({ workers: 2, minWorkers: 2 });
  });
  after(async () => {
    await embedder.close();
  });

  it('returns one unit-length 512-d vector per text, in order, across batches and workers', async () => {
    const texts = Array.from({ length: 21 }, (_, i) => `Step ${i}: press the reset button for ${i} seconds.`);
    texts[7] = '';
    const vectors = await embedder.embed(texts);
    assert.equal(embedder.workers, 2);
    assert.equal(vectors.length, texts.length);
    for (const v of vectors) {
      assert.equal(v.length, embedder.dimensions);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-4);
    }
    // Same text -> same vector, wherever it was computed.
    const [again] = await embedder.embed([texts[20]!]);
    assert.ok(dot(again!, vectors[20]!) > 0.999);
  });

  it('puts paraphrases closer than unrelated sentences', async () => {
    const [q, para, other] = await embedder.embed([
      'How do I change the wifi password?',
      'To set a new password for the wireless network, open the WLAN settings.',
      'The rotator points the antenna at the satellite during a pass.',
    ]);
    assert.ok(dot(q!, para!) > dot(q!, other!) + 0.1, `${dot(q!, para!)} vs ${dot(q!, other!)}`);
  });

  it('serves a question before queued ingestion batches', async () => {
    const bulk = embedder.embed(Array.from({ length: 64 }, (_, i) => `Chunk ${i} about satellites and rotators.`));
    let bulkDone = false;
    void bulk.then(() => (bulkDone = true));
    const [q] = await embedder.embed(['Which port does rotctld use?']);
    assert.equal(q!.length, 512);
    assert.equal(bulkDone, false);
    assert.equal((await bulk).length, 64);
  });

  it('a burst of questions is answered in arrival order, embedded together, each with its own vector', async () => {
    const questions = Array.from({ length: 40 }, (_, i) => `How do I set channel ${i} on the router?`);
    const alone = await Promise.all(questions.slice(0, 3).map((q) => embedder.embed([q])));
    const order: number[] = [];
    const vectors = await Promise.all(questions.map((q, i) => embedder.embed([q]).then((v) => (order.push(i), v[0]!))));
    for (let i = 0; i < 3; i++) assert.ok(dot(vectors[i]!, alone[i]![0]!) > 0.999, 'the same vector as embedded alone');
    assert.ok(dot(vectors[0]!, vectors[1]!) < 0.9999, 'each question gets its own vector');
    // First in, first out among questions: the first question is never left until the end.
    assert.ok(order.indexOf(0) < 10, `question 0 answered ${order.indexOf(0) + 1}th`);
    assert.ok(order.indexOf(39) >= 30, `question 39 answered ${order.indexOf(39) + 1}th`);
  });

  it('starts extra workers for a burst and, once idle, keeps one fresh worker', async () => {
    const e = await LocalEmbedder.create({ workers: 2, idleMs: 300 });
    try {
      assert.equal(e.workers, 1, 'one worker stays loaded for questions');
      let peak = e.workers;
      const watch = setInterval(() => (peak = Math.max(peak, e.workers)), 20);
      // Long enough for a second thread to load and warm up (it reports ready only after a first inference) before the burst ends.
      const vectors = await e.embed(Array.from({ length: 400 }, (_, i) => `Chunk ${i}: the rotator follows the satellite across the sky.`));
      clearInterval(watch);
      assert.equal(vectors.length, 400);
      assert.equal(peak, 2, 'a second worker joined the burst');
      const t0 = Date.now();
      while (e.workers !== 1 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      assert.equal(e.workers, 1, 'back to one worker when idle');
      const [q] = await e.embed(['Which port does rotctld use?']);
      assert.ok(Math.abs(Math.hypot(...q!) - 1) < 1e-4, 'the fresh worker embeds');
    } finally {
      await e.close();
    }
  });

  it('rejects work after close', async () => {
    const e = await LocalEmbedder.create({ workers: 1 });
    await e.close();
    await assert.rejects(e.embed(['hello']), (err: unknown) => err instanceof ManuelError && err.code === 'unavailable');
  });
});
