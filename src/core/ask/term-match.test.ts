import assert from 'node:assert/strict';
import { it } from 'node:test';
import { queryTerms } from './query-terms.js';
import { bigramShare, containsTerm, questionBigrams, stems } from './term-match.js';

it("bigramShare: the share of the question's word pairs the chunk has word for word, each pair counted once", () => {
  const pairs = questionBigrams('reset button pressed, reset timer');
  assert.deepEqual(pairs, ['reset button', 'button press', 'press reset', 'reset timer']);
  const chunk = (text: string, heading: string | null = null) => ({ text, heading });
  assert.equal(bigramShare(pairs, chunk('Hold the reset button. The reset button is red; reset button again.')), 1 / 4);
  // Two pairs sharing their first word are both found in one pass.
  assert.equal(bigramShare(pairs, chunk('The reset timer starts when the reset button is released.')), 2 / 4);
  assert.equal(bigramShare(pairs, chunk('Nothing here', 'Reset Button')), 1 / 4, 'the heading counts');
  assert.equal(bigramShare(pairs, chunk('button reset')), 0, 'word order matters');
  assert.equal(bigramShare([], chunk('reset button')), 0);
  // The same pair list (one question) against many chunks gives the same answers each time.
  assert.equal(bigramShare(pairs, chunk('reset buttons pressed reset timers')), 1);
});

it('containsTerm: every word of the term, adjacent and in order, stemmed like the text', () => {
  const [single, compound] = queryTerms('ports e-mail');
  const text = stems('Forward the port, then check your e mail settings.');
  assert.equal(containsTerm(text, single!), true);
  assert.equal(containsTerm(text, compound!), true);
  assert.equal(containsTerm(stems('mail the e-book'), compound!), false);
  assert.equal(containsTerm(stems('mail e'), compound!), false, 'order matters');
});
