import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstHitRank, summarise, termRecall } from './eval-metrics.js';

test('termRecall collapses whitespace and case, counts each term', () => {
  assert.equal(termRecall('Use port  4533\nand 10 Seconds', ['4533', '10 seconds', 'hamlib']), 2 / 3);
  assert.equal(termRecall('ﬁgure 3', ['figure']), 1); // NFKC folds ligatures
});

test('firstHitRank ranks distinct pages, not passages', () => {
  const s = [
    { manual_name: 'a.pdf', page_number: 3 },
    { manual_name: 'a.pdf', page_number: 3 },
    { manual_name: 'b.pdf', page_number: 7 },
    { manual_name: 'a.pdf', page_number: 9 },
  ];
  assert.equal(firstHitRank(s, 'a.pdf', [9]), 3);
  assert.equal(firstHitRank(s, 'b.pdf', [3]), 0);
});

test('summarise computes hit@k and MRR', () => {
  const m = summarise([
    { id: '1', manual: 'a', kind: 'x', firstHitRank: 1, termRecall: 1 },
    { id: '2', manual: 'a', kind: 'x', firstHitRank: 4, termRecall: 0.5 },
    { id: '3', manual: 'a', kind: 'x', firstHitRank: 0, termRecall: 0 },
    { id: '4', manual: 'a', kind: 'x', firstHitRank: 6, termRecall: 0.5 },
  ]);
  assert.equal(m.hit1, 0.25);
  assert.equal(m.hit5, 0.5);
  assert.equal(m.mrr, (1 + 1 / 4 + 1 / 6) / 4);
  assert.equal(m.termRecall, 0.5);
});
