import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerCacheKey, normaliseQuestion, parseCachedAnswer } from './answer-cache-key.js';

describe('normaliseQuestion', () => {
  it('ignores case, spacing and sentence punctuation', () => {
    const same = ['How do I reset the toaster?', '  how do i   RESET the toaster  ', 'How do I reset the toaster ?!', '"How do I reset the toaster."', '¿How do I reset, the toaster?'];
    const forms = new Set(same.map(normaliseQuestion));
    assert.deepEqual([...forms], ['how do i reset the toaster']);
  });

  it('keeps characters that change meaning inside a token', () => {
    assert.equal(normaliseQuestion('What is new in 3.1?'), 'what is new in 3.1');
    assert.notEqual(normaliseQuestion('version 3.1'), normaliseQuestion('version 31'));
    assert.equal(normaliseQuestion('What does set -x do?'), 'what does set -x do');
    assert.notEqual(normaliseQuestion('set -x'), normaliseQuestion('set x'));
    assert.equal(normaliseQuestion('Is C++ supported?'), 'is c++ supported');
    assert.equal(normaliseQuestion("What's the e-mail port: 8080/tcp?"), "what's the e-mail port 8080/tcp");
    assert.equal(normaliseQuestion('Where is ~/.config (on Linux)?'), 'where is ~/.config on linux');
    assert.equal(normaliseQuestion('1,000 or 1.000 pages?'), '1,000 or 1.000 pages');
  });

  it('drops tokens that are only punctuation, keeps accents and other scripts', () => {
    assert.equal(normaliseQuestion('Réinitialiser — le grille-pain ?'), 'réinitialiser le grille-pain');
    assert.equal(normaliseQuestion('トースター を リセット'), 'トースター を リセット');
    assert.equal(normaliseQuestion('ＦＵＬＬ width'), 'full width');
  });
});

describe('answerCacheKey', () => {
  const base = { userId: 'alice', writerId: 'extractive', question: 'Reset?', versions: [3, 7], limit: 5 };

  it('is per user and folds in versions, scope, writer and limit, but not sentence punctuation', () => {
    const k = answerCacheKey(base);
    assert.ok(k.startsWith('answer:alice:'));
    assert.equal(answerCacheKey({ ...base, question: 'reset' }), k);
    for (const changed of [
      { userId: 'bob' },
      { versions: [4, 7] },
      { versions: [3, 8] },
      { manualIds: ['m1'] },
      { writerId: 'openai:x' },
      { limit: 6 },
      { question: 'reset x' },
    ]) {
      assert.notEqual(answerCacheKey({ ...base, ...changed }), k, JSON.stringify(changed));
    }
    assert.equal(answerCacheKey({ ...base, manualIds: ['b', 'a', 'b'] }), answerCacheKey({ ...base, manualIds: ['a', 'b'] }));
  });

  it('reads a corrupt entry as a miss', () => {
    assert.equal(parseCachedAnswer('{nope'), null);
    assert.equal(parseCachedAnswer('{"answer":1}'), null);
    assert.deepEqual(parseCachedAnswer('{"answer":"a","sources":[],"contextFound":true}'), { answer: 'a', sources: [], contextFound: true });
  });

  it('parses an entry once: the same text gives the same frozen answer, other text its own', () => {
    const text = JSON.stringify({ answer: 'Hold the button.', sources: [{ manual_id: 'm1', page_number: 4 }], contextFound: true });
    const first = parseCachedAnswer(text)!;
    assert.equal(parseCachedAnswer(text), first, 'the same text: the answer already parsed');
    assert.equal(parseCachedAnswer(`${text}`.slice(0)), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.sources) && Object.isFrozen(first.sources[0]), 'shared between requests: frozen');
    assert.throws(() => (first.sources as unknown[]).push({}), TypeError);
    const other = parseCachedAnswer(text.replace('Hold', 'Press'))!;
    assert.notEqual(other, first);
    assert.equal(other.answer, 'Press the button.');
    assert.equal(parseCachedAnswer('{nope'), null, 'a corrupt entry is still a miss');
    assert.equal(parseCachedAnswer('null'), null);
  });
});
