import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase, ftsQuery } from '../../src/adapters/embedded/sqlite-knowledge-base.js';
import { FakeKnowledgeBase } from '../helpers/fakes.js';
import { knowledgeBaseContract } from './knowledge-base.contract.js';
import { tempDb } from './sqlite-temp.js';

knowledgeBaseContract(
  'SqliteKnowledgeBase',
  () => {
    const t = tempDb();
    return { kb: new SqliteKnowledgeBase(t.db), cleanup: t.cleanup };
  },
  { vectors: true, vocabulary: true },
);
knowledgeBaseContract('FakeKnowledgeBase', () => ({ kb: new FakeKnowledgeBase() }), { vectors: false, vocabulary: false });

it('SqliteKnowledgeBase keeps chunks and vectors across a reopen, and its schema set-up is idempotent', async () => {
  const t = tempDb();
  try {
    const kb = new SqliteKnowledgeBase(t.db);
    const chunk = { id: 'm:1:0', manualId: 'm', ownerId: 'u', pageNumber: 1, pageLabel: null, heading: 'Intro', text: 'Forwarding ports on the router.', ordinal: 0 };
    await kb.indexChunks('m', 'u', 'Manual', [chunk]);
    await kb.putVectors([{ chunkId: 'm:1:0', vector: Float32Array.from([0, 1]) }]);
    t.db.close();
    const db = openDatabase(t.file);
    const again = new SqliteKnowledgeBase(db);
    new SqliteKnowledgeBase(db);
    // Porter stemming: "forward" finds "Forwarding".
    const hits = await again.search({ text: 'forward port', owners: ['u'], limit: 5 });
    assert.deepEqual(hits.map((h) => [h.chunk, h.manualName]), [[chunk, 'Manual']]);
    const dense = await again.search({ text: '', vector: Float32Array.from([0, 1]), owners: ['u'], limit: 5 });
    assert.equal(dense[0]?.chunk.id, 'm:1:0');
    assert.deepEqual(await again.chunksWithoutVectors('m', 5), []);
    // Function words alone match nothing rather than everything.
    assert.deepEqual(await again.search({ text: 'what is the of and', owners: ['u'], limit: 5 }), []);
    db.close();
  } finally {
    t.cleanup();
  }
});

it('SqliteKnowledgeBase widens passages and counts term frequencies only within the visible owners', async () => {
  const t = tempDb();
  try {
    const kb = new SqliteKnowledgeBase(t.db);
    const mk = (id: string, manualId: string, ownerId: string, page: number, ordinal: number, text: string) => ({
      id,
      manualId,
      ownerId,
      pageNumber: page,
      pageLabel: null,
      heading: null,
      text,
      ordinal,
    });
    await kb.indexChunks('ma', 'alice', 'A', [mk('a1', 'ma', 'alice', 1, 0, 'Reset the router.'), mk('a2', 'ma', 'alice', 1, 1, 'Then wait.'), mk('a3', 'ma', 'alice', 2, 2, 'Router ports 49152-50175.')]);
    await kb.indexChunks('mb', 'bob', 'B', [mk('b1', 'mb', 'bob', 1, 0, 'Router router router.')]);
    const page = await kb.pageChunks(['alice'], [
      { manualId: 'ma', pageNumber: 1 },
      { manualId: 'mb', pageNumber: 1 },
    ]);
    assert.deepEqual(
      page.map((c) => c.id),
      ['a1', 'a2'],
    );
    assert.deepEqual(await kb.documentFrequencies(['alice'], ['router', '49152 50175', 'vault']), { total: 3, df: { router: 2, '49152 50175': 1, vault: 0 } });
    assert.deepEqual(await kb.documentFrequencies([], ['router']), { total: 0, df: { router: 0 } });
  } finally {
    t.cleanup();
  }
});

it('SqliteKnowledgeBase matches the longer words a question word begins only when asked to (prefix), owners still enforced', async () => {
  const t = tempDb();
  try {
    const kb = new SqliteKnowledgeBase(t.db);
    const mk = (id: string, ownerId: string, text: string) => ({ id, manualId: `m-${ownerId}`, ownerId, pageNumber: 1, pageLabel: null, heading: null, text, ordinal: 0 });
    await kb.indexChunks('m-alice', 'alice', 'A', [mk('a1', 'alice', 'The administrator password, if forgotten, can be reset from the app page.')]);
    await kb.indexChunks('m-bob', 'bob', 'B', [mk('b1', 'bob', 'The administrator account of Bob.')]);
    const q = { text: 'I forgot the admin password', owners: ['alice'], limit: 5 };
    const plain = await kb.search(q);
    const prefixed = await kb.search({ ...q, prefix: true });
    assert.deepEqual(plain.map((h) => h.chunk.id), ['a1']); // "password" only
    assert.deepEqual(prefixed.map((h) => h.chunk.id), ['a1']);
    // "admin"* finds "administrator", "forgot"* finds "forgotten": a stronger match than the plain query.
    assert.deepEqual(ftsQuery('I forgot the admin password', true), '"forgot"* OR "admin"* OR "password"*');
    assert.deepEqual(await kb.search({ text: 'admin', owners: ['alice'], limit: 5 }), []);
    assert.deepEqual((await kb.search({ text: 'admin', owners: ['alice'], limit: 5, prefix: true })).map((h) => h.chunk.id), ['a1']);
    // Short words and compound tokens stay exact; syntax stays quoted.
    assert.equal(ftsQuery('the ups 3493 ups.conf "config*"', true), '"ups" OR "3493" OR "ups conf" OR "config"*');
  } finally {
    t.cleanup();
  }
});

it('SqliteKnowledgeBase sees vectors another process added after it cached the manual (cluster siblings)', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const reader = new SqliteKnowledgeBase(t.db);
    const writer = new SqliteKnowledgeBase(other);
    const chunk = (i: number) => ({ id: `m:${i}:0`, manualId: 'm', ownerId: 'u', pageNumber: i, pageLabel: null, heading: null, text: `page ${i}`, ordinal: i });
    await writer.indexChunks('m', 'u', 'Manual', [chunk(1), chunk(2)]);
    await writer.putVectors([{ chunkId: 'm:1:0', vector: Float32Array.from([1, 0]) }]);
    const dense = (v: number[]) => reader.search({ text: '', owners: ['u'], limit: 5, vector: Float32Array.from(v) });
    assert.deepEqual((await dense([0, 1])).map((h) => h.chunk.id), ['m:1:0'], 'half embedded: one vector, now cached');
    // The sibling embeds the rest, then re-indexes the manual (new chunk rows, as many as before).
    await writer.putVectors([{ chunkId: 'm:2:0', vector: Float32Array.from([0, 1]) }]);
    assert.equal((await dense([0, 1]))[0]!.chunk.id, 'm:2:0');
    await writer.indexChunks('m', 'u', 'Manual', [chunk(3), chunk(4)]);
    await writer.putVectors([{ chunkId: 'm:3:0', vector: Float32Array.from([0, 1]) }, { chunkId: 'm:4:0', vector: Float32Array.from([1, 0]) }]);
    assert.deepEqual((await dense([0, 1])).map((h) => h.chunk.id), ['m:3:0', 'm:4:0']);
  } finally {
    other.close();
    t.cleanup();
  }
});

it('SqliteKnowledgeBase counts document frequencies and scopes again after another process changed the chunks', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const reader = new SqliteKnowledgeBase(t.db);
    const writer = new SqliteKnowledgeBase(other);
    const chunk = (m: string, i: number, text: string) => ({ id: `${m}:${i}`, manualId: m, ownerId: 'u', pageNumber: i, pageLabel: null, heading: null, text, ordinal: i });
    await writer.indexChunks('m', 'u', 'Manual', [chunk('m', 1, 'the router forwards ports'), chunk('m', 2, 'reset the router')]);
    assert.deepEqual(await reader.documentFrequencies(['u'], ['router', 'reset']), { total: 2, df: { router: 2, reset: 1 } });
    assert.deepEqual(await reader.documentFrequencies(['u'], ['router']), { total: 2, df: { router: 2 } }, 'remembered, the same');
    // A sibling process re-indexes the manual and adds another: the figures follow.
    await writer.indexChunks('m', 'u', 'Manual', [chunk('m', 1, 'the router forwards ports')]);
    await writer.indexChunks('n', 'u', 'Other', [chunk('n', 1, 'reset the modem'), chunk('n', 2, 'reset twice')]);
    assert.deepEqual(await reader.documentFrequencies(['u'], ['router', 'reset']), { total: 3, df: { router: 1, reset: 2 } });
    await writer.putVectors([{ chunkId: 'n:1', vector: Float32Array.from([1, 0]) }]);
    const dense = await reader.search({ text: '', owners: ['u'], limit: 5, vector: Float32Array.from([1, 0]) });
    assert.deepEqual(dense.map((h) => h.chunk.id), ['n:1'], 'the manuals of the scope follow too');
    assert.deepEqual(await reader.documentFrequencies(['someone-else'], ['reset']), { total: 0, df: { reset: 0 } }, 'per scope');
  } finally {
    other.close();
    t.cleanup();
  }
});

it('SqliteKnowledgeBase ranks keyword hits of the visible owners only, whoever holds the best matches', async () => {
  const t = tempDb();
  try {
    const kb = new SqliteKnowledgeBase(t.db);
    const chunk = (m: string, owner: string, i: number, text: string) => ({ id: `${m}:${i}`, manualId: m, ownerId: owner, pageNumber: i, pageLabel: null, heading: null, text, ordinal: i });
    // u holds most of the index, but v holds the best matches (the term more often, in shorter chunks).
    await kb.indexChunks('mu', 'u', 'U', Array.from({ length: 80 }, (_, i) => chunk('mu', 'u', i, `router ${'and other words about the device '.repeat(5)} ${i}`)));
    await kb.indexChunks('mv', 'v', 'V', Array.from({ length: 20 }, (_, i) => chunk('mv', 'v', i, `router router ${i}`)));
    const hits = await kb.search({ text: 'router', owners: ['u'], limit: 5 });
    assert.equal(hits.length, 5);
    assert.ok(hits.every((h) => h.chunk.ownerId === 'u'));
    assert.equal(hits[0]!.score, 1);
    const theirs = await kb.search({ text: 'router', owners: ['v'], limit: 30 });
    assert.equal(theirs.length, 20, 'a small share of the index, all of its matches');
    assert.ok(theirs.every((h) => h.chunk.ownerId === 'v'));
    assert.equal((await kb.search({ text: 'router', owners: ['u', 'v'], limit: 3 }))[0]!.chunk.manualId, 'mv', 'everything visible: the best of all');
  } finally {
    t.cleanup();
  }
});
