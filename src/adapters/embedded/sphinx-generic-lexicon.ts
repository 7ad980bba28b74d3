import { readFileSync } from 'node:fs';

/**
 * The most frequent words of pocketsphinx's generic English model (`en-us.lm.bin`), read from
 * the unigram table of its trie binary format. They keep everyday question words reachable in
 * a small per-user model without carrying the generic model's 130k-word search space, which
 * is what makes the stock model both slow (~0.6 x real time here) and unbiased.
 *
 * Layout (sphinxbase ngram_model_trie.c): "Trie Language Model", order (1 byte), counts
 * (uint32 each), quantiser type (int32) + tables (65536 floats per quantised prob/back-off),
 * unigrams {float prob, float backoff, uint32 next} x (n+1), the n-gram trie, and last the
 * words as NUL-separated strings preceded by their byte length. Probabilities are in log base
 * 1.0001 units.
 */
const HEADER = 'Trie Language Model';

export function readGenericUnigrams(lmBinFile: string, limit: number): Map<string, number> {
  const b = readFileSync(lmBinFile);
  if (b.toString('latin1', 0, HEADER.length) !== HEADER) return new Map();
  const order = b[HEADER.length]!;
  const count = b.readUInt32LE(HEADER.length + 1);
  const quantTables = 2 * order - 3; // prob + back-off per middle order, prob for the highest
  const unigramsAt = HEADER.length + 1 + 4 * order + 4 + quantTables * 65536 * 4;
  let wordsAt = -1;
  for (let p = b.length - 5; p > Math.max(0, b.length - 8_000_000); p--) {
    if (b.readUInt32LE(p) === b.length - p - 4) {
      wordsAt = p + 4;
      break;
    }
  }
  if (wordsAt < 0) return new Map();
  const words = b.toString('latin1', wordsAt).split('\0');
  const toLog10 = Math.log10(1.0001);
  const scored: [string, number][] = [];
  for (let i = 0; i < Math.min(count, words.length); i++) {
    const w = words[i]!;
    if (!/^[a-z][a-z']*$/.test(w)) continue;
    const lp = b.readFloatLE(unigramsAt + 12 * i) * toLog10;
    if (lp < 0 && lp > -20) scored.push([w, 10 ** lp]);
  }
  scored.sort((a, c) => c[1] - a[1]);
  return new Map(scored.slice(0, limit));
}
