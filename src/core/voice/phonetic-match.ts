/**
 * Transcript words matched to the manuals' vocabulary by how they sound. A recogniser splits words it
 * does not know into words it does ("sis log" for "syslog", "head phone" for "headphone") or picks a
 * sound-alike; the caller's manuals say which written word was meant. Pure and English only.
 */

/**
 * A compact Metaphone-style key: the consonant skeleton of a word as it sounds ("syslog" and
 * "sis log" -> "SSLK", "phone" and "fone" -> "FN"). Vowels count only at the start.
 */
export function phoneticKey(word: string): string {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (!w) return '';
  w = w
    .replace(/^(kn|gn|pn|wr|ps)/, (m) => m[1]!)
    .replace(/^x/, 's')
    .replace(/^wh/, 'w')
    .replace(/mb$/, 'm');
  let key = '';
  const at = (i: number) => w[i] ?? '';
  const vowel = (c: string) => 'aeiou'.includes(c) && c !== '';
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!;
    const next = at(i + 1);
    if (c === at(i - 1) && c !== 'c') continue;
    let code = '';
    switch (c) {
      case 'a': case 'e': case 'i': case 'o': case 'u':
        if (i === 0) code = 'A';
        break;
      case 'b': code = 'B'; break;
      case 'c':
        if (next === 'h') { code = 'X'; i++; }
        else if ('iey'.includes(next) && next) code = 'S';
        else if (next === 'k' || next === 'c') { code = 'K'; i++; }
        else code = 'K';
        break;
      case 'd':
        if (next === 'g' && 'iey'.includes(at(i + 2)) && at(i + 2)) { code = 'J'; i++; }
        else code = 'T';
        break;
      case 'g':
        if (next === 'h' && !vowel(at(i + 2))) { i++; break; }
        if (next === 'n' && (i + 2 === w.length || (at(i + 2) === 'e' && at(i + 3) === 'd'))) break;
        code = 'iey'.includes(next) && next ? 'J' : 'K';
        break;
      case 'h': if (vowel(next) && !'csptg'.includes(at(i - 1))) code = 'H'; break;
      case 'k': code = 'K'; break;
      case 'l': code = 'L'; break;
      case 'm': code = 'M'; break;
      case 'n': code = 'N'; break;
      case 'p': if (next === 'h') { code = 'F'; i++; } else code = 'P'; break;
      case 'q': code = 'K'; break;
      case 'r': code = 'R'; break;
      case 's':
        if (next === 'h') { code = 'X'; i++; }
        else if (next === 'i' && (at(i + 2) === 'o' || at(i + 2) === 'a')) code = 'X';
        else code = 'S';
        break;
      case 't':
        if (next === 'h') { code = '0'; i++; }
        else if (next === 'i' && (at(i + 2) === 'o' || at(i + 2) === 'a')) code = 'X';
        else code = 'T';
        break;
      case 'v': code = 'F'; break;
      case 'f': code = 'F'; break;
      case 'w': case 'y': if (vowel(next)) code = c.toUpperCase(); break;
      case 'x': code = 'KS'; break;
      case 'z': code = 'S'; break;
      case 'j': code = 'J'; break;
    }
    if (code && !key.endsWith(code)) key += code;
  }
  return key;
}

export interface VocabularyMatchOptions {
  /** Shortest key a match may have: short keys collide too often. Default 3. */
  minKeyLength?: number;
  /**
   * Also add a vocabulary word after a single heard word that sounds like it. Default false: on the dev
   * set the recogniser's single words are dictionary words already, and every such addition was noise.
   */
  addSingles?: boolean;
}

import { STOPWORDS } from '../ask/query-terms.js';

const WORD = /^[A-Za-z][A-Za-z'-]*$/;
/** A word that may be half of a split vocabulary word: not a function word ("a map" is no "IMAP", "to do" no "TODO"). */
const content = (w: string) => w.length >= 3 && !STOPWORDS.has(w.toLowerCase());

/**
 * Builds a matcher over the caller's vocabulary. Adjacent transcript words whose sound together
 * equals one vocabulary word are merged into it ("sis log" -> "syslog"); a single transcript word
 * that is not in the vocabulary but sounds like exactly one vocabulary word spelt alike gets that word
 * added after it (only with addSingles). Everything else is left as heard.
 */
export function vocabularyMatcher(vocabulary: readonly string[], opts: VocabularyMatchOptions = {}): (text: string) => string {
  const minKey = opts.minKeyLength ?? 3;
  const known = new Map<string, string>(); // lower case -> the vocabulary's spelling
  const byKey = new Map<string, Set<string>>();
  for (const term of vocabulary) {
    if (!WORD.test(term)) continue;
    if (!known.has(term.toLowerCase())) known.set(term.toLowerCase(), term);
    const key = phoneticKey(term);
    if (key.length < minKey) continue;
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = new Set()));
    s.add(term);
  }
  // Only a key that names one written word (ignoring case) is confident.
  const unique = (key: string): string | undefined => {
    const s = byKey.get(key);
    if (!s) return undefined;
    const forms = new Set([...s].map((t) => t.toLowerCase()));
    return forms.size === 1 ? [...s][0] : undefined;
  };
  // Sounding alike is not enough ("sign on" and "Siskin" share a key): the spellings must be close too.
  const similarLength = (heard: string, term: string) => editDistance(heard.toLowerCase(), term.toLowerCase()) <= Math.max(1, Math.floor(term.length / 4));

  return (text: string) => {
    const toks = text.split(/\s+/).filter(Boolean);
    const bare = toks.map((t) => t.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, ''));
    const out: string[] = [];
    for (let i = 0; i < toks.length; i++) {
      const a = bare[i]!;
      const b = bare[i + 1];
      // Pair: both words plain, not both vocabulary words themselves ("set up" stays), sounds like one vocabulary word.
      if (b && WORD.test(a) && WORD.test(b) && content(a) && content(b) && !/[^A-Za-z]$/.test(toks[i]!)) {
        const joined = a + b;
        const term = known.get(joined.toLowerCase()) ?? unique(phoneticKey(joined));
        if (term && similarLength(joined, term) && !(known.has(a.toLowerCase()) && known.has(b.toLowerCase()))) {
          const trail = /[^A-Za-z]+$/.exec(toks[i + 1]!)?.[0] ?? '';
          out.push(term + trail);
          i++;
          continue;
        }
      }
      out.push(toks[i]!);
      if (opts.addSingles === true && WORD.test(a) && a.length >= 3 && !known.has(a.toLowerCase())) {
        const term = unique(phoneticKey(a));
        if (term && term.toLowerCase() !== a.toLowerCase() && similarLength(a, term)) out.push(term);
      }
    }
    return out.join(' ');
  };
}

/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
