import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chunk, SearchHit } from '../model/types.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase, SearchQuery } from '../ports/knowledge-base.js';
import { retrieve } from './retrieve.js';

const chunk = (id: string, page: number, text: string, manualId = 'm1'): Chunk => ({
  id,
  manualId,
  ownerId: 'u1',
  pageNumber: page,
  pageLabel: null,
  heading: null,
  text,
  ordinal: page,
});

/** A knowledge base whose two legs return fixed rankings, recording the queries it received. */
class ScriptedKb implements KnowledgeBase {
  queries: SearchQuery[] = [];
  constructor(
    private readonly keyword: Chunk[],
    private readonly dense: Chunk[],
  ) {}
  async search(q: SearchQuery): Promise<SearchHit[]> {
    this.queries.push(q);
    const list = q.vector ? this.dense : q.text ? this.keyword : [];
    return list.map((c, i) => ({ chunk: c, manualName: 'Manual', score: q.vector ? 0.6 - i * 0.05 : 1 - i * 0.1 }));
  }
  async indexChunks() {}
  async putVectors() {}
  async chunksWithoutVectors() {
    return [];
  }
  async deleteManual() {
    return { chunks: 0, vectors: 0 };
  }
}

const embedder = (fail = false): Embedder => ({
  dimensions: 2,
  modelId: 'test',
  embed: async (texts) => {
    if (fail) throw new Error('worker died');
    return texts.map(() => Float32Array.from([1, 0]));
  },
});

describe('retrieve', () => {
  const port = chunk('a', 47, 'Forward UDP ports 3478 and 5349 for the TURN server.');
  const reset = chunk('b', 12, 'Hold the reset button to restore the defaults.');
  const vague = chunk('c', 90, 'Network settings overview.');

  it('keeps a strong keyword hit above a middling vector hit and boosts chunks found by both legs', async () => {
    const kb = new ScriptedKb([port, reset], [vague, reset, port]);
    const hits = await retrieve({ kb, embedder: embedder() }, { question: 'Which ports does the TURN server need?', owners: ['u1'], limit: 5 });
    assert.deepEqual(
      hits.map((h) => h.chunk.id),
      ['a', 'b', 'c'],
    );
    assert.equal(kb.queries.length, 2);
    assert.ok(kb.queries.every((q) => q.owners.length === 1 && q.owners[0] === 'u1'));
  });

  it('returns one passage per page', async () => {
    const same = chunk('a2', 47, 'More about ports on the same page.');
    const kb = new ScriptedKb([port, same, reset], []);
    const hits = await retrieve({ kb, embedder: null }, { question: 'ports', owners: ['u1'], limit: 5 });
    assert.deepEqual(
      hits.map((h) => h.chunk.id),
      ['a', 'b'],
    );
  });

  it('falls back to keywords when there is no embedder or it fails, and passes the manual filter', async () => {
    for (const e of [null, embedder(true)]) {
      const kb = new ScriptedKb([reset], [vague]);
      const hits = await retrieve({ kb, embedder: e }, { question: 'reset button', owners: ['u1', 'shared'], manualIds: ['m1'], limit: 5 });
      assert.deepEqual(
        hits.map((h) => h.chunk.id),
        ['b'],
      );
      assert.deepEqual(kb.queries[0]!.manualIds, ['m1']);
    }
  });

  it('scores evidence on an absolute scale', async () => {
    const kb = new ScriptedKb([reset], []);
    const [hit] = await retrieve({ kb, embedder: null }, { question: 'How do I restore the defaults with the reset button?', owners: ['u1'], limit: 5 });
    assert.equal(hit!.score, 1);
    const [weak] = await retrieve({ kb, embedder: null }, { question: 'reset the modem firmware over wifi', owners: ['u1'], limit: 5 });
    assert.ok(weak!.score < 0.34, String(weak!.score));
  });
});
