import type { Chunk } from '../model/types.js';
import { STOPWORDS, queryTerms, words, type QueryTerm } from './query-terms.js';

/**
 * A light suffix stripper (a subset of Porter's step 1): enough to match "forwarding" with
 * "forward" and "ports" with "port" when scoring passages and sentences in memory.
 */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const suffix of ['ingly', 'edly', 'ing', 'ed', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3 && /[aeiouy]/.test(w.slice(0, -suffix.length))) {
      w = w.slice(0, -suffix.length);
      if (/(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

/**
 * Remembers the last results of a pure string function, up to `max` of them (then starts over).
 * Retrieval stems the same chunk texts for question after question (coverage, phrase share, the
 * answer writer): one lookup instead of a tokenisation per candidate chunk.
 */
function memo<T>(fn: (s: string) => T, max: number): (s: string) => T {
  const seen = new Map<string, T>();
  return (s) => {
    let v = seen.get(s);
    if (v === undefined) {
      if (seen.size >= max) seen.clear();
      seen.set(s, (v = fn(s)));
    }
    return v;
  };
}

const stemWord = memo(stem, 50_000);
const stemText = memo((text: string): readonly string[] => Object.freeze(words(text).map(stemWord)), 4_096);

/** Stems of a text's words. Shared between callers (memoised): read it, never change it. */
export const stems = (text: string): string[] => stemText(text) as string[];

/**
 * Stems of a chunk's heading and text, remembered per text: every question stems the same candidate
 * chunks again (coverage, word pairs, passage context), and stemming is most of retrieval's CPU.
 * Bounded; the oldest entries go first.
 */
const STEM_CACHE_SIZE = 20_000;
const stemCache = new Map<string, string[]>();
export function chunkStems(chunk: Pick<Chunk, 'text' | 'heading'>): string[] {
  const key = `${chunk.heading ?? ''}\u0000${chunk.text}`;
  let s = stemCache.get(key);
  if (!s) {
    s = stems(`${chunk.heading ?? ''} ${chunk.text}`);
    if (stemCache.size >= STEM_CACHE_SIZE) stemCache.delete(stemCache.keys().next().value!);
    stemCache.set(key, s);
  }
  return s;
}

/** A term's stems, remembered per term object: a question's terms are checked against every candidate. */
const termStemCache = new WeakMap<QueryTerm, string[]>();
function termStems(term: QueryTerm): string[] {
  let t = termStemCache.get(term);
  if (!t) termStemCache.set(term, (t = term.words.map(stemWord)));
  return t;
}

/** Does a stemmed word sequence contain the term (all its words, in order, adjacent)? */
export function containsTerm(textStems: string[], term: QueryTerm): boolean {
  const t = termStems(term);
  if (t.length === 1) return textStems.includes(t[0]!);
  outer: for (let i = 0; i + t.length <= textStems.length; i++) {
    for (let j = 0; j < t.length; j++) if (textStems[i + j] !== t[j]) continue outer;
    return true;
  }
  return false;
}

/** Inverse document frequency per term (keyed by the term's words joined by spaces); rare words weigh more. */
export type TermWeights = Map<string, number>;

export const termKey = (t: QueryTerm) => t.words.join(' ');

export function idfWeights(terms: QueryTerm[], stats: { total: number; df: Record<string, number> } | null): TermWeights {
  return new Map(
    terms.map((t) => {
      const df = stats?.df[termKey(t)];
      // A word found nowhere in the manuals is the most telling: the question is about something else.
      return [termKey(t), stats && df !== undefined ? Math.log((stats.total + 1) / (df + 0.5)) : 1];
    }),
  );
}

/** IDF-weighted share of the question's terms found in the chunk (text or heading), 0..1. */
export function weightedCoverage(terms: QueryTerm[], weights: TermWeights, chunk: Pick<Chunk, 'text' | 'heading'>): number {
  return weightedCoverageOfStems(terms, weights, chunkStems(chunk));
}

/** The same over stems already computed (e.g. a chunk and its neighbours). */
export function weightedCoverageOfStems(terms: QueryTerm[], weights: TermWeights, s: string[]): number {
  let found = 0;
  let all = 0;
  let matched = 0;
  for (const t of terms) {
    const w = weights.get(termKey(t)) ?? 1;
    all += w;
    if (containsTerm(s, t)) {
      found += w;
      matched++;
    }
  }
  // One shared word ("capital" in "the capital of France") is weak evidence for a longer question.
  const single = terms.length >= 2 && matched < 2 ? 0.5 : 1;
  return all > 0 ? (found / all) * single : 0;
}

/** Share of the question's content terms found in the chunk (text or heading), 0..1. */
export function termCoverage(question: string, chunk: Pick<Chunk, 'text' | 'heading'>): number {
  const terms = queryTerms(question);
  if (terms.length === 0) return 0;
  const s = chunkStems(chunk);
  return terms.filter((t) => containsTerm(s, t)).length / terms.length;
}

/** Adjacent word pairs of the question that carry content ("reset button", "is openni"). */
export function questionBigrams(question: string): string[] {
  const ws = words(question).map(stem);
  const out = new Set<string>();
  for (let i = 0; i + 1 < ws.length; i++) {
    if (!STOPWORDS.has(ws[i]!) || !STOPWORDS.has(ws[i + 1]!)) out.add(`${ws[i]} ${ws[i + 1]}`);
  }
  return [...out];
}

/** The question's pairs as first stem → second stems, built once per pair list (one per question). */
const pairIndexCache = new WeakMap<string[], Map<string, Set<string>>>();
function pairIndex(bigrams: string[]): Map<string, Set<string>> {
  let index = pairIndexCache.get(bigrams);
  if (!index) {
    index = new Map();
    for (const b of bigrams) {
      const space = b.indexOf(' ');
      const first = b.slice(0, space);
      let seconds = index.get(first);
      if (!seconds) index.set(first, (seconds = new Set()));
      seconds.add(b.slice(space + 1));
    }
    pairIndexCache.set(bigrams, index);
  }
  return index;
}

/** Share of the question's content bigrams that the chunk has word for word: phrasing, not just vocabulary. */
export function bigramShare(bigrams: string[], chunk: Pick<Chunk, 'text' | 'heading'>): number {
  if (bigrams.length === 0) return 0;
  const s = chunkStems(chunk);
  const index = pairIndex(bigrams);
  // One pass over the chunk, one lookup per word (not a scan per pair); a pair counts once.
  let found: Set<string> | null = null;
  for (let i = 0; i + 1 < s.length; i++) {
    const seconds = index.get(s[i]!);
    if (seconds?.has(s[i + 1]!)) (found ??= new Set()).add(`${s[i]} ${s[i + 1]}`);
  }
  return found ? found.size / bigrams.length : 0;
}
