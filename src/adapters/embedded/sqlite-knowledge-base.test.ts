import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tokenize } from '../search/bm25-tokenizer.js';
import { openDatabase } from './sqlite-db.js';
import { columnSizesTotal, SqliteKnowledgeBase } from './sqlite-knowledge-base.js';

it('columnSizesTotal sums the SQLite varints of an FTS5 docsize record', () => {
  assert.equal(columnSizesTotal(Uint8Array.of()), 0);
  assert.equal(columnSizesTotal(Uint8Array.of(2, 0)), 2);
  assert.equal(columnSizesTotal(Uint8Array.of(0x0c, 0x02)), 14);
  // 200 = 0b1_1001000: two bytes, high bit set on the first
  assert.equal(columnSizesTotal(Uint8Array.of(0x81, 0x48, 0x05)), 205);
  assert.equal(columnSizesTotal(Uint8Array.of(0x82, 0x80, 0x00)), 32768);
});

it("FTS5's docsize records hold the token counts of our tokenizer (text and heading)", async () => {
  const db = openDatabase(':memory:');
  try {
    const kb = new SqliteKnowledgeBase(db);
    const texts = [
      { text: 'Forward UDP ports 3478 and 49152-50175 on your router.', heading: '5.3 Port Forwarding' },
      { text: 'Café naïve: v3.1.2 fixes the 12 V brown-out. '.repeat(20), heading: null },
    ];
    await kb.indexChunks(
      'm',
      'o',
      'M',
      texts.map((t, i) => ({ id: `m:${i}`, manualId: 'm', ownerId: 'o', pageNumber: i + 1, pageLabel: null, heading: t.heading, text: t.text, ordinal: i })),
    );
    const sizes = db.prepare('SELECT sz FROM kb_fts_docsize ORDER BY id').pluck().all() as Buffer[];
    assert.deepEqual(
      sizes.map(columnSizesTotal),
      texts.map((t) => tokenize(t.text).length + tokenize(t.heading ?? '').length),
    );
  } finally {
    db.close();
  }
});

it("one owner's ranking is the same whether others' rows are in the index (their statistics scored out) or not (FTS5's own), before and after the others' manual is deleted", async () => {
  const sentences = [
    'Press the reset button for ten seconds to restore the factory settings.',
    'The UPS beeps every 30 seconds while it runs on battery power.',
    'Forward UDP ports 3478 and 49152-50175 on your router for calls.',
    'Set LISTEN in upsd.conf to answer on the network interface.',
    'The battery charge is low: shut the servers down before it runs out.',
    'Use a composite black when the black ink smudges on glossy paper.',
    'The rotator points the antenna at the satellite during a pass.',
    'Change the wifi password in the wireless settings page of the router.',
  ];
  const chunk = (manualId: string, ownerId: string, i: number, words: number) => ({
    id: `${manualId}:${i}`,
    manualId,
    ownerId,
    pageNumber: i + 1,
    pageLabel: null,
    heading: i % 3 === 0 ? `${i}. ${sentences[(i * 5) % sentences.length]!.split(' ').slice(0, 3).join(' ')}` : null,
    // Uneven lengths and overlapping vocabulary, so that document counts and lengths both matter.
    text: Array.from({ length: words }, (_, k) => sentences[(i * 3 + k) % sentences.length]).join(' '),
    ordinal: i,
  });
  const mine = Array.from({ length: 24 }, (_, i) => chunk('a', 'u', i, 1 + (i % 4)));
  const theirs = Array.from({ length: 40 }, (_, i) => {
    const c = chunk('b', 'v', i, 1 + (i % 2));
    return { ...c, text: c.text.replace(/battery/g, 'battery battery') };
  });
  const shared = openDatabase(':memory:');
  const alone = openDatabase(':memory:');
  try {
    const kb = new SqliteKnowledgeBase(shared);
    const only = new SqliteKnowledgeBase(alone);
    await kb.indexChunks('a', 'u', 'A', mine);
    await kb.indexChunks('b', 'v', 'B', theirs);
    await only.indexChunks('a', 'u', 'A', mine);
    const questions = ['why does my UPS beep on battery', 'reset button factory settings', 'router ports wifi password', 'black ink glossy paper', 'shut down servers battery low'];
    const ranked = async (k: SqliteKnowledgeBase, text: string) =>
      (await k.search({ text, owners: ['u'], vector: null, limit: 10 })).map((h) => `${h.chunk.id} ${h.score.toFixed(9)}`);
    for (const text of questions) {
      const want = await ranked(only, text); // the whole index: FTS5's own top list
      assert.ok(want.length >= 3, `${text}: ${want.length} hits`);
      assert.deepEqual(await ranked(kb, text), want, `${text}: u's statistics, with v's rows in the index`);
    }
    await kb.deleteManual('b');
    for (const text of questions) assert.deepEqual(await ranked(kb, text), await ranked(only, text), `${text}: after v's manual is deleted`);
  } finally {
    shared.close();
    alone.close();
  }
});

it('sampleChunks picks chunks across owners with their stored vectors, null where none is stored yet, at most the limit', async () => {
  const db = openDatabase(':memory:');
  try {
    const kb = new SqliteKnowledgeBase(db);
    assert.deepEqual(kb.sampleChunks(10), []);
    for (const owner of ['alice', 'bob']) {
      await kb.indexChunks(
        `m-${owner}`,
        owner,
        'M',
        Array.from({ length: 6 }, (_, i) => ({ id: `${owner}:${i}`, manualId: `m-${owner}`, ownerId: owner, pageNumber: i + 1, pageLabel: null, heading: null, text: `${owner} passage ${i}`, ordinal: i })),
      );
    }
    const stored = new Map(['alice:0', 'alice:3', 'bob:5'].map((id, k) => [id, Float32Array.from({ length: 4 }, (_, d) => (k + 1) * 0.1 + d * 0.01)]));
    await kb.putVectors([...stored].map(([chunkId, vector]) => ({ chunkId, vector })));

    assert.equal(kb.sampleChunks(5).length, 5);
    assert.deepEqual(kb.sampleChunks(0), []);
    const all = kb.sampleChunks(100);
    assert.deepEqual(all.map((s) => s.chunk.id).sort(), [...Array(6).keys()].flatMap((i) => [`alice:${i}`, `bob:${i}`]).sort());
    for (const s of all) {
      assert.equal(s.chunk.ownerId, s.chunk.id.split(':')[0]);
      assert.equal(s.chunk.text, `${s.chunk.ownerId} passage ${s.chunk.id.split(':')[1]}`);
      const v = stored.get(s.chunk.id);
      if (v) assert.deepEqual([...s.vector!], [...v]);
      else assert.equal(s.vector, null);
    }
  } finally {
    db.close();
  }
});
