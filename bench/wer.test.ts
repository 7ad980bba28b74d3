import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordErrorRate } from './wer.js';

test('WER counts substitutions, insertions and deletions over reference words', () => {
  assert.equal(wordErrorRate('how do I change the port', 'how do I change the port'), 0);
  assert.equal(wordErrorRate('how do I change the port', 'how do you change port'), 2 / 6);
  assert.equal(wordErrorRate('reset the UPS', 'reset the u p s'), 3 / 3);
  assert.equal(wordErrorRate('', ''), 0);
});
