import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tempDb } from '../../../test/contract/sqlite-temp.js';
import { SqliteKnowledgeBase } from './sqlite-knowledge-base.js';

const chunk = (m: string, i: number) => ({ id: `${m}:${i}`, manualId: m, ownerId: 'u', pageNumber: i, pageLabel: null, heading: null, text: `text ${i}`, ordinal: i });

it('warmVectors decodes the manuals ahead of the first question, up to the cap, and searches the same', async () => {
  const t = tempDb();
  try {
    const kb = new SqliteKnowledgeBase(t.db);
    await kb.indexChunks('a', 'u', 'A', [chunk('a', 1), chunk('a', 2)]);
    await kb.indexChunks('b', 'u', 'B', [chunk('b', 1)]);
    await kb.putVectors([
      { chunkId: 'a:1', vector: Float32Array.from([1, 0]) },
      { chunkId: 'a:2', vector: Float32Array.from([0.6, 0.8]) },
      { chunkId: 'b:1', vector: Float32Array.from([0, 1]) },
    ]);
    const query = { text: '', owners: ['u'], limit: 3, vector: Float32Array.from([0, 1]) };
    const cold = (await new SqliteKnowledgeBase(t.db).search(query)).map((h) => h.chunk.id);
    assert.deepEqual(cold, ['b:1', 'a:2', 'a:1']);

    assert.equal(await new SqliteKnowledgeBase(t.db).warmVectors(1), 2, 'stops once the cap is reached (a manual is decoded whole)');
    const warmed = new SqliteKnowledgeBase(t.db);
    assert.equal(await warmed.warmVectors(), 3);
    // Held, not read again: with the table emptied behind its back (no version bump), the search still finds them.
    t.db.exec('DROP TRIGGER kb_vectors_version_ad; DELETE FROM kb_vectors');
    assert.deepEqual((await warmed.search(query)).map((h) => h.chunk.id), cold);
    assert.equal(await new SqliteKnowledgeBase(t.db).warmVectors(), 0, 'nothing to decode');
  } finally {
    t.cleanup();
  }
});
