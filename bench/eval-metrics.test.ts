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

test('cross-validation by manual: each split picks on its two tuning manuals and is scored on the other two', async () => {
  const { selectBySplits } = await import('./eval-cv.js');
  // Point "a" is perfect on manuals m1 and m2 and useless on m3 and m4; "b" is the reverse;
  // "c" is middling everywhere. Tuned on m1+m2 the choice is "a", which then scores 0 held out.
  const r = (manual: string, rank: number) => ({ id: `${manual}-${rank}`, manual, kind: 'howto', firstHitRank: rank, termRecall: rank === 1 ? 1 : 0 });
  const results = (good: string[]) => ['m1', 'm2', 'm3', 'm4'].map((m) => r(m, good.includes(m) ? 1 : 0));
  const cv = selectBySplits([
    { tuning: 'a', results: results(['m1', 'm2']) },
    { tuning: 'b', results: results(['m3', 'm4']) },
    { tuning: 'c', results: ['m1', 'm2', 'm3', 'm4'].map((m) => r(m, 2)) },
  ]);
  assert.equal(cv.splits.length, 6);
  const s12 = cv.splits.find((s) => s.train.join() === 'm1,m2')!;
  assert.deepEqual([s12.chosen, s12.test], ['a', ['m3', 'm4']]);
  assert.equal(s12.test_metrics.hit1, 0);
  const s13 = cv.splits.find((s) => s.train.join() === 'm1,m3')!;
  assert.equal(s13.chosen, 'a'); // a and b tie (one manual right each); the point listed first wins
  assert.equal(s13.test_metrics.hit1, 0.5); // a is right on m2, wrong on m4
  assert.equal(cv.splits.find((s) => s.train.join() === 'm3,m4')!.chosen, 'b');
  // Mean over the six held-out pairs: 0 (m1+m2 tuned), 0.5 four times, 0 (m3+m4 tuned).
  assert.ok(Math.abs(cv.heldOut.hit1 - 2 / 6) < 1e-9, String(cv.heldOut.hit1));
  assert.equal(cv.chosenOnAll, 'a');
});
