import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeKnowledgeBase } from '../../../test/helpers/fakes.js';
import { SHARED_OWNER, type Chunk } from '../model/types.js';
import type { AnswerWriter } from '../ports/answer-writer.js';
import type { SearchQuery } from '../ports/knowledge-base.js';
import { ExtractiveAnswerWriter } from './extractive-answer-writer.js';
import { sampleQuestion, warmAnswerPath, type WarmUpSample } from './warm-up.js';

const chunk = (id: string, ownerId: string, text: string): Chunk => ({ id, manualId: `m-${ownerId}`, ownerId, pageNumber: 1, pageLabel: null, heading: null, text, ordinal: 0 });

/** A knowledge base that records what is asked of it, and fails any write. */
class RecordingKb extends FakeKnowledgeBase {
  readonly searches: SearchQuery[] = [];
  writes = 0;
  override async search(q: SearchQuery) {
    this.searches.push(q);
    return super.search(q);
  }
}

async function index() {
  const kb = new RecordingKb();
  await kb.indexChunks('m-alice', 'alice', 'Router', [chunk('a1', 'alice', 'Hold the reset button for ten seconds to restore the factory settings of the router.')]);
  await kb.indexChunks('m-bob', 'bob', 'Pump', [chunk('b1', 'bob', 'The pump primes itself when the float switch rises above the inlet.')]);
  for (const m of ['indexChunks', 'putVectors', 'deleteManual'] as const) {
    kb[m] = async () => {
      kb.writes++;
      throw new Error(`${m} called during a warm-up`);
    };
  }
  return kb;
}

const samples = (kb: FakeKnowledgeBase, vector: Float32Array | null): WarmUpSample[] => [...kb.chunks.values()].map((c) => ({ chunk: c.chunk, vector }));

describe('warmAnswerPath', () => {
  it('asks one question per passage, in its owner’s scope, with the passage’s stored vector', async () => {
    const kb = await index();
    const vector = new Float32Array([0.6, 0.8]);
    const written: string[] = [];
    const writer = new ExtractiveAnswerWriter();
    const recordingWriter: AnswerWriter = { id: 'extractive', write: (q, hits) => (written.push(q), writer.write(q, hits)) };
    const r = await warmAnswerPath({ kb, answerWriter: recordingWriter }, samples(kb, vector), { limit: 5, budgetMs: 60_000 });
    assert.equal(r.questions, 2);
    assert.equal(r.error, undefined);
    assert.equal(kb.writes, 0);
    // Each question stays within its passage's owner and the shared library: nobody's manuals are mixed.
    const scopes = new Set(kb.searches.map((q) => [...q.owners].sort().join(',')));
    assert.deepEqual([...scopes].sort(), [['alice', SHARED_OWNER].sort().join(','), ['bob', SHARED_OWNER].sort().join(',')].sort());
    // The vector leg searched with the stored vector: no embedding was computed.
    const dense = kb.searches.filter((q) => q.vector);
    assert.ok(dense.length >= 2);
    for (const q of dense) assert.deepEqual([...q.vector!], [...vector]);
    // The writer ran on both, with the passages' own words as the question.
    assert.deepEqual(written.sort(), [...kb.chunks.values()].map((c) => sampleQuestion(c.chunk)).sort());
  });

  it('searches keywords only when a passage has no vector yet', async () => {
    const kb = await index();
    const r = await warmAnswerPath({ kb, answerWriter: new ExtractiveAnswerWriter() }, samples(kb, null), { limit: 5, budgetMs: 60_000 });
    assert.equal(r.questions, 2);
    assert.ok(kb.searches.length > 0);
    assert.ok(kb.searches.every((q) => !q.vector));
  });

  it('stops when its time budget is spent', async () => {
    const kb = await index();
    let t = 0;
    // Each look at the clock moves it 40 ms: the second question would start past the 50 ms budget.
    const now = () => (t += 40);
    const r = await warmAnswerPath({ kb, answerWriter: new ExtractiveAnswerWriter() }, samples(kb, null), { limit: 5, budgetMs: 50, now });
    assert.equal(r.questions, 1);
  });

  it('reports a failure instead of throwing, and stops there', async () => {
    const kb = await index();
    kb.search = async () => {
      throw new Error('disk I/O error');
    };
    const r = await warmAnswerPath({ kb, answerWriter: new ExtractiveAnswerWriter() }, samples(kb, null), { limit: 5, budgetMs: 60_000 });
    assert.equal(r.questions, 0);
    assert.equal(r.error, 'disk I/O error');
  });

  it('makes a question of a passage’s first dozen words', () => {
    const c = chunk('x', 'alice', ' One two  three four five six seven eight nine ten eleven twelve thirteen fourteen');
    assert.equal(sampleQuestion(c), 'One two three four five six seven eight nine ten eleven twelve');
    assert.equal(sampleQuestion(chunk('y', 'alice', '   ')), '');
  });
});
