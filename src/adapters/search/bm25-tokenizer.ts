/**
 * The tokenizer of SQLite FTS5's `porter unicode61 remove_diacritics 2`, which SqliteKnowledgeBase
 * indexes with, reproduced in TypeScript so the in-memory index of the aws shape matches the same
 * words: runs of letters/digits (a combining diacritic continues a word and is dropped), case folded,
 * diacritics removed, then FTS5's own Porter stemmer (ported from sqlite3.c, fts5_tokenize.c), which
 * works on the token's UTF-8 bytes and leaves tokens under 3 or over 64 bytes alone.
 */

const TOKEN = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{Co}\u0300-\u036f]*/gu;

/**
 * Case fold and strip diacritics as FTS5 does: Unicode case folding ("µ" -> "μ", "ſ" -> "s", "ς" -> "σ";
 * "ß" stays), Latin letters lose their accents ("É" -> "e"), other scripts keep theirs ("ά"), and a
 * combining mark inside a word is dropped. ASCII words (nearly all of a manual) take the fast path.
 */
function fold(token: string): string {
  if (/^[\x00-\x7f]*$/.test(token)) return token.toLowerCase();
  let out = '';
  for (const ch of token) {
    const up = ch.toUpperCase();
    const lower = [...up].length === 1 ? up.toLowerCase() : ch.toLowerCase();
    for (const c of lower) {
      if (/[\u0300-\u036f]/.test(c)) continue;
      const d = c.normalize('NFD');
      out += d.length > 1 && /^\p{Script=Latin}/u.test(d) ? d.replace(/[\u0300-\u036f]/g, '') : c;
    }
  }
  return out;
}

/** Stems of words already seen: a manual repeats its few thousand words tens of times each. */
const STEMS = new Map<string, string>();
const STEM_CACHE_SIZE = 100_000;

/** Empties the stem cache (a benchmark's way to measure a cold container). */
export function forgetStems(): void {
  STEMS.clear();
}

/** Index tokens of a text, in order (positions are array indices). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN)) {
    let stem = STEMS.get(m[0]);
    if (stem === undefined) {
      const t = fold(m[0]);
      stem = t ? porter(t) : '';
      if (STEMS.size >= STEM_CACHE_SIZE) STEMS.clear();
      STEMS.set(m[0], stem);
    }
    if (stem) out.push(stem);
  }
  return out;
}

// --- FTS5 Porter stemmer (byte-wise; non-ASCII bytes are consonants) ---------------------------

const isVowel = (c: string, yIsVowel: boolean) => c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || (yIsVowel && c === 'y');

/** Length up to and including the first vowel-consonant sequence of z[0..n), or 0. */
function gobbleVC(z: string, from: number, n: number, prevCons: boolean): number {
  let cons = prevCons;
  let i = from;
  for (; i < n; i++) if (!(cons = !isVowel(z[i]!, cons))) break;
  for (i++; i < n; i++) if ((cons = !isVowel(z[i]!, cons))) return i + 1 - from;
  return 0;
}
const mGt0 = (z: string, n: number) => gobbleVC(z, 0, n, false) > 0;
function mGt1(z: string, n: number): boolean {
  const k = gobbleVC(z, 0, n, false);
  return k > 0 && gobbleVC(z, k, n, true) > 0;
}
function mEq1(z: string, n: number): boolean {
  const k = gobbleVC(z, 0, n, false);
  return k > 0 && gobbleVC(z, k, n, true) === 0;
}
function oStar(z: string, n: number): boolean {
  const last = z[n - 1];
  if (last === 'w' || last === 'x' || last === 'y') return false;
  let mask = 0;
  let cons = false;
  for (let i = 0; i < n; i++) {
    cons = !isVowel(z[i]!, cons);
    mask = ((mask << 1) | (cons ? 1 : 0)) & 7;
  }
  return mask === 5;
}
const mGt1SorT = (z: string, n: number) => (z[n - 1] === 's' || z[n - 1] === 't') && mGt1(z, n);
function hasVowel(z: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (isVowel(z[i]!, i > 0)) return true;
  return false;
}

type Cond = ((z: string, n: number) => boolean) | null;
type Rule = [suffix: string, cond: Cond, output: string];

/**
 * Rules in sqlite3.c's order. A word's first rule whose suffix it ends with (leaving a non-empty stem)
 * is the only one tried: if its condition fails the step changes nothing.
 */
const STEP1B: Rule[] = [
  ['eed', mGt0, 'ee'],
  ['ed', hasVowel, ''],
  ['ing', hasVowel, ''],
];
const STEP1B2: Rule[] = [
  ['at', null, 'ate'],
  ['bl', null, 'ble'],
  ['iz', null, 'ize'],
];
const STEP2: Rule[] = (
  [
    ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['logi', 'log'],
    ['bli', 'ble'], ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'],
    ['ation', 'ate'], ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'],
    ['aliti', 'al'], ['iviti', 'ive'], ['biliti', 'ble'],
  ] as [string, string][]
).map(([s, o]) => [s, mGt0, o]);
const STEP3: Rule[] = (
  [['ical', 'ic'], ['ness', ''], ['icate', 'ic'], ['iciti', 'ic'], ['ful', ''], ['ative', ''], ['alize', 'al']] as [string, string][]
).map(([s, o]) => [s, mGt0, o]);
const STEP4: Rule[] = [
  ...['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent'].map((s): Rule => [s, mGt1, '']),
  ['ion', mGt1SorT, ''],
  ...['ou', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize'].map((s): Rule => [s, mGt1, '']),
];

/** Applies a step; returns the new word and the suffix of the rule that fired (matched and its condition held). */
function apply(w: string, rules: Rule[]): [string, string | null] {
  const c2 = w[w.length - 2];
  for (const [suffix, cond, output] of rules) {
    // sqlite3.c switches on the word's second-last letter first; the order within a case is the list's.
    if (suffix[suffix.length - 2] !== c2 || w.length <= suffix.length || !w.endsWith(suffix)) continue;
    const stem = w.length - suffix.length;
    if (cond && !cond(w, stem)) return [w, null];
    return [w.slice(0, stem) + output, suffix];
  }
  return [w, null];
}

/** FTS5's Porter stemmer on one folded token. */
export function porter(token: string): string {
  const ascii = /^[\x00-\x7f]*$/.test(token);
  let w = ascii ? token : Buffer.from(token, 'utf8').toString('latin1');
  if (w.length < 3 || w.length > 64) return token;
  // Step 1a
  if (w.endsWith('s')) {
    if (w[w.length - 2] === 'e') {
      if ((w.length > 4 && w.endsWith('sses')) || (w.length > 3 && w[w.length - 3] === 'i')) w = w.slice(0, -2);
      else w = w.slice(0, -1);
    } else if (w[w.length - 2] !== 's') w = w.slice(0, -1);
  }
  // Step 1b ("eed" -> "ee" does not go on to 1b's second part; "ed" and "ing" do)
  let fired: string | null;
  [w, fired] = apply(w, STEP1B);
  if (fired === 'ed' || fired === 'ing') {
    [w, fired] = apply(w, STEP1B2);
    if (!fired) {
      const c = w[w.length - 1]!;
      if (!isVowel(c, false) && c !== 'l' && c !== 's' && c !== 'z' && c === w[w.length - 2]) w = w.slice(0, -1);
      else if (mEq1(w, w.length) && oStar(w, w.length)) w += 'e';
    }
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w, w.length - 1)) w = `${w.slice(0, -1)}i`;
  // Steps 2-4
  [w] = apply(w, STEP2);
  [w] = apply(w, STEP3);
  [w] = apply(w, STEP4);
  // Step 5a
  if (w.endsWith('e') && (mGt1(w, w.length - 1) || (mEq1(w, w.length - 1) && !oStar(w, w.length - 1)))) w = w.slice(0, -1);
  // Step 5b
  if (w.length > 1 && w.endsWith('ll') && mGt1(w, w.length - 1)) w = w.slice(0, -1);
  return ascii ? w : Buffer.from(w, 'latin1').toString('utf8');
}
