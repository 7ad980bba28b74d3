import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeKnowledgeBase } from '../../../test/helpers/fakes.js';
import type { Chunk } from '../model/types.js';
import type { AnswerWriter } from '../ports/answer-writer.js';
import type { Embedder } from '../ports/embedder.js';
import { askQuestion, MIN_EVIDENCE, WEAK_EVIDENCE_ANSWER } from './ask-question.js';
import { ExtractiveAnswerWriter, NOT_FOUND_ANSWER } from './extractive-answer-writer.js';

const chunk = (id: string, ownerId: string, page: number, text: string): Chunk => ({
  id,
  manualId: `manual-${ownerId}`,
  ownerId,
  pageNumber: page,
  pageLabel: page === 30 ? '5' : null,
  heading: null,
  text,
  ordinal: page,
});

async function kb() {
  const k = new FakeKnowledgeBase();
  await k.indexChunks('manual-alice', 'alice', 'Router Guide', [
    chunk('a1', 'alice', 30, 'To restore the factory settings, hold the reset button for ten seconds until the light blinks.'),
    chunk('a2', 'alice', 31, 'The router forwards UDP port 3478 for the TURN server.'),
  ]);
  await k.indexChunks('manual-bob', 'bob', 'Bob Secrets', [chunk('b1', 'bob', 1, 'Bob: hold the reset button for ten seconds to wipe the vault.')]);
  return k;
}

const failingEmbedder: Embedder = { dimensions: 8, modelId: 'broken', embed: async () => Promise.reject(new Error('worker crashed')) };

describe('askQuestion', () => {
  it('answers from the caller’s manuals with API-shaped sources', async () => {
    for (const embedder of [null, failingEmbedder]) {
      const r = await askQuestion(
        { kb: await kb(), embedder, answerWriter: new ExtractiveAnswerWriter() },
        { question: 'How long do I hold the reset button to restore factory settings?', owners: ['alice'], limit: 5 },
      );
      assert.equal(r.contextFound, true);
      assert.match(r.answer, /ten seconds/);
      assert.deepEqual(Object.keys(r.sources[0]!).sort(), ['chunk_text', 'manual_id', 'manual_name', 'page_label', 'page_number', 'score']);
      assert.equal(r.sources[0]!.manual_name, 'Router Guide');
      assert.equal(r.sources[0]!.page_number, 30);
      assert.equal(r.sources[0]!.page_label, '5');
      assert.ok(r.sources.every((s) => s.manual_id === 'manual-alice'));
    }
  });

  it('says honestly when nothing relevant is found: the closest pages (uncited, no writer) when the match is weak, none when it is faint or absent', async () => {
    const never: AnswerWriter = { id: 'never', write: async () => assert.fail('no answer is written from weak evidence') };
    const none = await askQuestion({ kb: await kb(), embedder: null, answerWriter: never }, { question: 'Wetter morgen Berlin?', owners: ['alice'], limit: 5 });
    assert.deepEqual(none, { answer: NOT_FOUND_ANSWER, sources: [], contextFound: false, answerSource: 'extractive' });
    // A weak match (evidence 0.25): the closest page is listed, a page with no evidence at all is not.
    const weak = await askQuestion({ kb: await kb(), embedder: null, answerWriter: never }, { question: 'Does the router work in France?', owners: ['alice'], limit: 5 });
    assert.equal(weak.answer, WEAK_EVIDENCE_ANSWER);
    assert.equal(weak.contextFound, false);
    assert.deepEqual(weak.sources.map((s) => [s.manual_id, s.page_number]), [['manual-alice', 31]]);
    assert.ok(weak.sources[0]!.score < MIN_EVIDENCE && weak.sources[0]!.score >= MIN_EVIDENCE / 2);
    // Under half the threshold (0.125) the closest page is an unrelated one: none is listed.
    const faint = await askQuestion({ kb: await kb(), embedder: null, answerWriter: never }, { question: 'capital France router population', owners: ['alice'], limit: 5 });
    assert.deepEqual(faint, none);
    // Another user's manuals are never the closest pages.
    const nobody = await askQuestion({ kb: await kb(), embedder: null, answerWriter: never }, { question: 'Does the router work in France?', owners: ['nobody'], limit: 5 });
    assert.deepEqual(nobody.sources, []);
  });

  it('drops citations that point at no passage', async () => {
    const liar: AnswerWriter = { id: 'liar', write: async () => ({ answer: 'Made up [7].', cited: [6, -1], usage: { inputTokens: 10, outputTokens: 3, model: 'x' } }) };
    const r = await askQuestion({ kb: await kb(), embedder: null, answerWriter: liar }, { question: 'reset button factory settings', owners: ['alice'], limit: 5 });
    assert.equal(r.contextFound, false);
    assert.deepEqual(r.usage, { inputTokens: 10, outputTokens: 3, model: 'x' });
  });
});
