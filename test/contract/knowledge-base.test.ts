import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { S3KnowledgeBase } from '../../src/adapters/aws/s3-knowledge-base.js';
import type { Chunk } from '../../src/core/model/types.js';
import { motoSkip, startMoto, startS3rver, type S3Emulator } from '../helpers/aws-emulators.js';
import { loadQa, repoRoot } from '../helpers/eval-manuals.js';
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
let s3: S3Emulator;
let bucket: string;
let prefixes = 0;
before(async () => {
  s3 = await startS3rver();
  bucket = await s3.bucket();
});
after(async () => s3?.close());

knowledgeBaseContract('S3KnowledgeBase (s3rver)', () => ({ kb: new S3KnowledgeBase(s3.client, bucket, { prefix: `contract${prefixes++}/` }) }), {
  vectors: true,
  vocabulary: true,
});
// moto honours the conditional requests (If-Match, If-None-Match) that s3rver ignores.
if (!motoSkip()) {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let motoClient: S3Client;
  before(async () => {
    moto = await startMoto();
    motoClient = new S3Client(clientConfig(moto.settings, 's3'));
    await motoClient.send(new CreateBucketCommand({ Bucket: 'kb-contract' }));
  });
  after(async () => {
    motoClient?.destroy();
    await moto?.close();
  });
  knowledgeBaseContract('S3KnowledgeBase (moto)', () => ({ kb: new S3KnowledgeBase(motoClient, 'kb-contract', { prefix: `contract${prefixes++}/` }) }), {
    vectors: true,
    vocabulary: true,
  });
}
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

/** Two knowledge bases on one SQLite file, as two processes of a cluster hold it: one reads, one writes. */
async function withSibling(fn: (reader: SqliteKnowledgeBase, writer: SqliteKnowledgeBase) => Promise<void>): Promise<void> {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    await fn(new SqliteKnowledgeBase(t.db), new SqliteKnowledgeBase(other));
  } finally {
    other.close();
    t.cleanup();
  }
}

it('SqliteKnowledgeBase sees vectors another process added after it cached the manual (cluster siblings)', () =>
  withSibling(async (reader, writer) => {
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
  }));

/** Every S3 request an adapter makes, by command name and key or prefix. */
function recording(client: S3Client): { client: S3Client; calls: string[] } {
  const calls: string[] = [];
  const proxy = Object.create(client) as S3Client;
  proxy.send = ((cmd: { constructor: { name: string }; input: { Key?: string; Prefix?: string } }, ...rest: unknown[]) => {
    calls.push(`${cmd.constructor.name.replace(/Command$/, '')} ${cmd.input.Key ?? cmd.input.Prefix ?? ''}`);
    return (client.send as (...a: unknown[]) => Promise<unknown>)(cmd, ...rest);
  }) as S3Client['send'];
  return { client: proxy, calls };
}

const mkChunk = (manualId: string, ownerId: string, page: number, ordinal: number, text: string, heading: string | null = null): Chunk => ({
  id: `${manualId}:${page}:${ordinal}`,
  manualId,
  ownerId,
  pageNumber: page,
  pageLabel: String(page),
  heading,
  text,
  ordinal,
});

/** The repository's decision records cut into ~80-word chunks under their headings: a realistic corpus of technical prose. */
function docsCorpus(): { manualId: string; chunks: Chunk[] }[] {
  const dir = join(repoRoot, 'docs', 'decisions');
  return readdirSync(dir)
    .sort()
    .slice(0, 12)
    .map((file) => {
      const manualId = file.replace(/\.md$/, '');
      const chunks: Chunk[] = [];
      let heading: string | null = null;
      let page = 1;
      for (const block of readFileSync(join(dir, file), 'utf8').split(/\n(?=#)/)) {
        const lines = block.split('\n');
        if (lines[0]!.startsWith('#')) heading = lines.shift()!.replace(/^#+\s*/, '');
        const words = lines.join(' ').split(/\s+/).filter(Boolean);
        for (let i = 0; i < words.length; i += 80) chunks.push(mkChunk(manualId, 'u', page, chunks.length, words.slice(i, i + 80).join(' '), heading));
        page++;
      }
      return { manualId, chunks };
    });
}

it('S3KnowledgeBase ranks and scores like SqliteKnowledgeBase (FTS5 BM25 over the caller\'s manuals), several owners, prefix queries, frequencies, pages and vocabulary included', async () => {
  const t = tempDb();
  try {
    const sqlite = new SqliteKnowledgeBase(t.db);
    const aws = new S3KnowledgeBase(s3.client, bucket, { prefix: 'parity/' });
    const corpus = docsCorpus();
    // Two owners: statistics are the caller's (what it can see), in both adapters.
    const ownerOf = (i: number) => (i < 8 ? 'u' : 'v');
    for (const [i, { manualId, chunks }] of corpus.entries()) {
      const owned = chunks.map((c) => ({ ...c, ownerId: ownerOf(i) }));
      await sqlite.indexChunks(manualId, ownerOf(i), manualId, owned);
      await aws.indexChunks(manualId, ownerOf(i), manualId, owned);
    }
    const questions = [
      ...loadQa('dev').map((q) => q.question),
      'Which UDP ports 49152-50175?',
      'admin config forgot',
      'p95 latency of 12V 3.1 ms',
      'Café résumé naïve',
      'rate-limit per-IP X-Forwarded-For',
      'what is the of and',
    ];
    // Equal scores may come in either order: compare sorted by score, then id.
    const norm = (hits: { chunk: Chunk; score: number; manualName: string }[]) =>
      hits.map((h) => ({ id: h.chunk.id, name: h.manualName, score: Math.round(h.score * 1e9) })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    let compared = 0;
    for (const text of questions) {
      for (const prefix of [false, true]) {
        for (const owners of [['u'], ['v'], ['u', 'v']]) {
          const q = { text, owners, limit: 10_000, prefix };
          const [want, got] = [await sqlite.search(q), await aws.search(q)];
          assert.deepEqual(norm(got), norm(want), `${text} (prefix ${prefix}, owners ${owners})`);
          compared += want.length;
        }
        // The short list a question asks for is the head of the whole ranking: FTS5's pool ranked again
        // (one owner of two), or FTS5's own top list when the scope is every row of the index.
        for (const owners of [['u'], ['u', 'v']]) {
          const top = await sqlite.search({ text, owners, limit: 10, prefix });
          assert.deepEqual(norm(top), norm(await aws.search({ text, owners, limit: 10, prefix })), `${text} top 10 (owners ${owners})`);
        }
      }
    }
    assert.ok(compared > 1000, `${compared} hits compared`);
    const terms = ['retrieval', 'rate limit', 'p95', 'sqlite', 'bm25', 'x forwarded for', 'nothing-here-zz'];
    assert.deepEqual(await aws.documentFrequencies(['u'], terms), await sqlite.documentFrequencies(['u'], terms));
    const pages = corpus.slice(0, 3).flatMap((m) => [1, 2, 3].map((pageNumber) => ({ manualId: m.manualId, pageNumber })));
    assert.deepEqual(await aws.pageChunks(['u'], pages), await sqlite.pageChunks(['u'], pages));
    assert.deepEqual((await aws.vocabulary(['u'], 40)).sort(), (await sqlite.vocabulary(['u'], 40)).sort());
  } finally {
    t.cleanup();
  }
});

it('SqliteKnowledgeBase counts document frequencies and scopes again after another process changed the chunks', () =>
  withSibling(async (reader, writer) => {
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
  }));

it('SqliteKnowledgeBase reads rows and pages again after another process re-indexed (remembered per generation)', () =>
  withSibling(async (reader, writer) => {
    const chunk = (m: string, owner: string, page: number, i: number, text: string) => ({ id: `${m}:${page}:${i}`, manualId: m, ownerId: owner, pageNumber: page, pageLabel: null, heading: null, text, ordinal: i });
    await writer.indexChunks('m', 'u', 'Manual', [chunk('m', 'u', 1, 0, 'reset the router'), chunk('m', 'u', 1, 1, 'then wait'), chunk('m', 'u', 2, 2, 'router lights')]);
    await writer.indexChunks('s', 'shared', 'Shared', [chunk('s', 'shared', 1, 0, 'shared router guide')]);
    const texts = (cs: Chunk[]) => cs.map((c) => c.text);
    const pages = [{ manualId: 'm', pageNumber: 1 }, { manualId: 's', pageNumber: 1 }, { manualId: 'm', pageNumber: 9 }];
    assert.deepEqual(texts(await reader.pageChunks(['u', 'shared'], pages)), ['reset the router', 'then wait', 'shared router guide']);
    assert.deepEqual(texts(await reader.pageChunks(['u'], pages)), ['reset the router', 'then wait'], 'remembered pages are still filtered by owner');
    assert.deepEqual(await reader.pageChunks(['someone-else'], pages), []);
    assert.deepEqual(texts((await reader.search({ text: 'router', owners: ['u'], limit: 5 })).map((h) => h.chunk)).sort(), ['reset the router', 'router lights']);
    // A sibling re-indexes the manual: rowids are reused for other text, pages change.
    await writer.indexChunks('m', 'u', 'Manual', [chunk('m', 'u', 1, 0, 'router factory settings'), chunk('m', 'u', 9, 1, 'router antenna')]);
    assert.deepEqual(texts(await reader.pageChunks(['u'], pages)), ['router factory settings', 'router antenna']);
    assert.deepEqual(texts((await reader.search({ text: 'router', owners: ['u'], limit: 5 })).map((h) => h.chunk)).sort(), ['router antenna', 'router factory settings']);
  }));

it('S3KnowledgeBase reads only the shards of the owners searched (counted S3 requests)', async () => {
  const writer = new S3KnowledgeBase(s3.client, bucket, { prefix: 'owners-test/' });
  await writer.indexChunks('ma', 'alice', 'A', [mkChunk('ma', 'alice', 1, 0, 'Reset the router with the reset button.')]);
  await writer.indexChunks('mb', 'bob', 'B', [mkChunk('mb', 'bob', 1, 0, 'Bob resets the router secretly.')]);
  await writer.indexChunks('ms', 'shared', 'S', [mkChunk('ms', 'shared', 1, 0, 'The shared router guide.')]);
  await writer.putVectors([
    { chunkId: 'ma:1:0', vector: Float32Array.from([1, 0]) },
    { chunkId: 'mb:1:0', vector: Float32Array.from([0, 1]) },
  ]);
  const { client, calls } = recording(s3.client);
  const reader = new S3KnowledgeBase(client, bucket, { prefix: 'owners-test/', listTtlMs: 0 });
  const owners = ['alice', 'shared'];
  assert.deepEqual((await reader.search({ text: 'reset router bob', owners, limit: 10 })).map((h) => h.chunk.id).sort(), ['ma:1:0', 'ms:1:0']);
  assert.deepEqual((await reader.search({ text: '', vector: Float32Array.from([0, 1]), owners, limit: 10 })).map((h) => h.chunk.id), ['ma:1:0']);
  assert.deepEqual(await reader.search({ text: 'router', owners, manualIds: ['mb'], limit: 10 }), []);
  assert.deepEqual(await reader.pageChunks(owners, [{ manualId: 'mb', pageNumber: 1 }]), []);
  assert.deepEqual(await reader.documentFrequencies(owners, ['router', 'bob']), { total: 2, df: { router: 2, bob: 0 } });
  assert.ok(!(await reader.vocabulary(owners, 50)).some((w) => /bob/i.test(w)));
  assert.ok(calls.length > 0);
  assert.deepEqual(calls.filter((c) => c.includes('bob')), [], calls.join('\n'));
  // Exactly one download per shard: later searches list the owners' prefixes and reuse what is in memory.
  assert.deepEqual(calls.filter((c) => c.startsWith('GetObject')).sort(), ['GetObject owners-test/owners/alice/ma.mkb', 'GetObject owners-test/owners/shared/ms.mkb']);
  assert.deepEqual([...new Set(calls.filter((c) => c.startsWith('ListObjectsV2')))].sort(), ['ListObjectsV2 owners-test/owners/alice/', 'ListObjectsV2 owners-test/owners/shared/']);
});

it('S3KnowledgeBase: another container sees re-indexed and deleted manuals and new vectors, and a cold one can embed and delete', async () => {
  const opts = { prefix: 'containers/', listTtlMs: 0 };
  const a = new S3KnowledgeBase(s3.client, bucket, opts);
  const { client, calls } = recording(s3.client);
  const b = new S3KnowledgeBase(client, bucket, opts);
  await a.indexChunks('m', 'u', 'M', [mkChunk('m', 'u', 1, 0, 'Antenna alignment.'), mkChunk('m', 'u', 2, 1, 'Rotator setup.')]);
  assert.deepEqual((await b.search({ text: 'antenna', owners: ['u'], limit: 5 })).map((h) => h.chunk.id), ['m:1:0']);
  const gets = () => calls.filter((c) => c.startsWith('GetObject')).length;
  const before = gets();
  await b.search({ text: 'rotator', owners: ['u'], limit: 5 });
  assert.equal(gets(), before, 'unchanged shard: no download');
  // A cold container (the embed step of a later invocation) finds the manual by its pointer.
  const cold = new S3KnowledgeBase(s3.client, bucket, opts);
  assert.deepEqual((await cold.chunksWithoutVectors('m', 10)).map((c) => c.id), ['m:1:0', 'm:2:1']);
  await new S3KnowledgeBase(s3.client, bucket, opts).putVectors([{ chunkId: 'm:2:1', vector: Float32Array.from([0, 1]) }]);
  assert.deepEqual((await b.search({ text: '', vector: Float32Array.from([0, 1]), owners: ['u'], limit: 5 })).map((h) => h.chunk.id), ['m:2:1']);
  assert.deepEqual((await cold.chunksWithoutVectors('m', 10)).map((c) => c.id), ['m:1:0']);
  await a.indexChunks('m', 'u', 'M', [mkChunk('m', 'u', 3, 0, 'Doppler correction.')]);
  assert.deepEqual((await b.search({ text: 'antenna doppler', owners: ['u'], limit: 5 })).map((h) => h.chunk.id), ['m:3:0']);
  assert.deepEqual(await new S3KnowledgeBase(s3.client, bucket, opts).deleteManual('m'), { chunks: 1, vectors: 0 });
  assert.deepEqual(await b.search({ text: 'doppler', owners: ['u'], limit: 5 }), []);
  assert.deepEqual(await b.chunksWithoutVectors('m', 10), []);
});

it('S3KnowledgeBase: a vector batch written over a concurrent writer is retried on If-Match, not lost (moto honours If-Match)', { skip: motoSkip() }, async () => {
  const moto = await startMoto();
  const client = new S3Client(clientConfig(moto.settings, 's3'));
  try {
    await client.send(new CreateBucketCommand({ Bucket: 'kb-race' }));
    const other = new S3KnowledgeBase(client, 'kb-race');
    await other.indexChunks('m', 'u', 'M', [mkChunk('m', 'u', 1, 0, 'one'), mkChunk('m', 'u', 1, 1, 'two')]);
    // Between this writer's read of the shard and its write, the other writer stores a vector.
    let raced = false;
    const { client: racing, calls } = recording(client);
    const send = racing.send.bind(racing);
    racing.send = (async (cmd: { constructor: { name: string } }, ...rest: unknown[]) => {
      if (cmd.constructor.name === 'PutObjectCommand' && !raced) {
        raced = true;
        await other.putVectors([{ chunkId: 'm:1:0', vector: Float32Array.from([1, 0]) }]);
      }
      return (send as (...a: unknown[]) => Promise<unknown>)(cmd, ...rest);
    }) as S3Client['send'];
    const writer = new S3KnowledgeBase(racing, 'kb-race');
    await writer.putVectors([{ chunkId: 'm:1:1', vector: Float32Array.from([0, 1]) }]);
    assert.ok(raced);
    assert.equal(calls.filter((c) => c.startsWith('PutObject')).length, 2, 'the first write failed its If-Match and was made again');
    assert.deepEqual(await new S3KnowledgeBase(client, 'kb-race').chunksWithoutVectors('m', 10), []);
    const dense = await new S3KnowledgeBase(client, 'kb-race').search({ text: '', vector: Float32Array.from([1, 0]), owners: ['u'], limit: 5 });
    assert.deepEqual(dense.map((h) => [h.chunk.id, h.score]), [['m:1:0', 1], ['m:1:1', 0]]);
  } finally {
    client.destroy();
    await moto.close();
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
