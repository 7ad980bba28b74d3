import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../../src/adapters/embedded/sqlite-knowledge-base.js';
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
