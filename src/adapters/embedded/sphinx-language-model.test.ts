import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildArpa } from './sphinx-language-model.js';

/** Parses the ARPA text back into log10 probabilities and back-offs per n-gram. */
function parse(arpa: string) {
  const grams = new Map<string, { p: number; bo: number }>();
  const counts: number[] = [];
  for (const line of arpa.split('\n')) {
    const c = /^ngram (\d)=(\d+)$/.exec(line);
    if (c) counts[Number(c[1])] = Number(c[2]);
    const parts = line.split('\t');
    if (parts.length >= 2 && /^-?\d/.test(parts[0]!)) grams.set(parts[1]!, { p: Number(parts[0]), bo: Number(parts[2] ?? 0) });
  }
  return { grams, counts };
}

const sentences = [
  ['how', 'do', 'i', 'configure', 'coturn'],
  ['how', 'do', 'i', 'configure', 'tor'],
  ['what', 'is', 'coturn'],
];

test('writes a well-formed ARPA trigram model whose header counts match its sections', () => {
  const { arpa, vocabulary } = buildArpa({ sentences });
  assert.match(arpa, /^\\data\\\n/);
  assert.match(arpa, /\\end\\\n$/);
  const { grams, counts } = parse(arpa);
  const byOrder = [0, 0, 0, 0];
  for (const k of grams.keys()) byOrder[k.split(' ').length]!++;
  assert.deepEqual(counts.slice(1), byOrder.slice(1));
  assert.ok(grams.has('how do i') && grams.has('<s> how do'));
  assert.deepEqual(new Set(vocabulary), new Set(['how', 'do', 'i', 'configure', 'coturn', 'tor', 'what', 'is']));
});

test('probabilities after a history, including back-off mass, sum to one', () => {
  const { arpa, vocabulary } = buildArpa({ sentences });
  const { grams } = parse(arpa);
  const p = (k: string) => 10 ** grams.get(k)!.p;
  const bo = (k: string) => 10 ** grams.get(k)!.bo;
  const pBigram = (h: string, w: string) => (grams.has(`${h} ${w}`) ? p(`${h} ${w}`) : bo(h) * p(w));
  let total = 0;
  for (const w of [...vocabulary, '</s>']) total += pBigram('configure', w);
  assert.ok(Math.abs(total - 1) < 0.01, `bigram mass after "configure" = ${total}`);
  let tri = 0;
  for (const w of [...vocabulary, '</s>']) tri += grams.has(`do i ${w}`) ? p(`do i ${w}`) : bo('do i') * pBigram('i', w);
  assert.ok(Math.abs(tri - 1) < 0.01, `trigram mass after "do i" = ${tri}`);
});

test('background words become reachable unigrams; disallowed words never enter', () => {
  const background = new Map([['printer', 0.5], ['resolution', 0.5], ['xyzzy', 0.5]]);
  const { arpa, vocabulary } = buildArpa({ sentences, background, backgroundWeight: 0.2, allowed: (w) => w !== 'xyzzy' && w !== 'tor' });
  const { grams } = parse(arpa);
  assert.ok(grams.has('printer') && grams.has('resolution'));
  assert.ok(!vocabulary.includes('xyzzy') && !vocabulary.includes('tor'));
  // the sentence is cut at the unpronounceable word, so no n-gram spans it
  assert.ok(![...grams.keys()].some((k) => k.split(' ').includes('tor')));
  assert.ok(grams.get('coturn')!.p > grams.get('printer')!.p, 'a word of the manuals outweighs a background word');
});
