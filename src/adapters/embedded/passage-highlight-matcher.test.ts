import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPassageSpans } from './passage-highlight-matcher.js';

const covered = (items: string[], passage: string) =>
  findPassageSpans(items, passage).map((s) => items[s.item]!.slice(s.start, s.end));

test('matches a passage split across items with different spacing and case', () => {
  const items = ['Intro text here.', 'To reset the de', 'vice, hold the POWER', 'button for 10 s.', 'Other text.'];
  assert.deepEqual(covered(items, 'to reset the device, hold the power button for 10 s'), [
    'To reset the de',
    'vice, hold the POWER',
    'button for 10 s',
  ]);
});

test('covers only part of an item when the passage starts mid-item', () => {
  const spans = findPassageSpans(['Warning: never open the case while powered'], 'open the case while powered');
  assert.equal(spans.length, 1);
  assert.equal(spans[0]!.start, 'Warning: never '.length);
});

test('falls back to word runs when the passage carries a heading the page lays out elsewhere', () => {
  const items = ['Forward ports 3478 and 3479 on your router', 'for the TURN server to work.', 'Coturn'];
  const hits = covered(items, 'Coturn — Forward ports 3478 and 3479 on your router for the TURN server to work.');
  assert.ok(hits.includes('Forward ports 3478 and 3479 on your router'));
  assert.ok(hits.includes('for the TURN server to work'));
});

test('NFKC: a ligature on the page matches plain letters in the passage', () => {
  assert.equal(covered(['Conﬁgure the ﬁrewall settings now'], 'configure the firewall settings now').length, 1);
});

test('returns nothing for an absent passage or an empty one', () => {
  assert.deepEqual(findPassageSpans(['alpha beta gamma delta epsilon'], 'completely different words in this passage here'), []);
  assert.deepEqual(findPassageSpans(['alpha'], '  — '), []);
});

test('a short search term is highlighted everywhere it occurs', () => {
  assert.equal(findPassageSpans(['router one', 'no', 'router two'], 'router').length, 2);
});
