/**
 * Spoken numbers, units and versions in a transcript, written as a manual writes them:
 * "nineteen ninety" -> "1990", "one hundred and twenty" -> "120", "three point one" -> "3.1",
 * "twelve volts" -> "12 V", "two point four gigahertz" -> "2.4 GHz", "eight zero eight zero" -> "8080".
 * And the other way ({@link numberToWords}, {@link unitWords}): what a speaker says for "12 V" or "2.4GHz",
 * so a recogniser's language model can produce the words at all. Pure, English only.
 */

const ONES: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };

/** Spoken unit -> the symbol manuals write. Plural and singular forms both listed. */
const UNITS: [string[], string][] = [
  [['volt', 'volts'], 'V'],
  [['millivolt', 'millivolts'], 'mV'],
  [['kilovolt', 'kilovolts'], 'kV'],
  [['amp', 'amps', 'ampere', 'amperes'], 'A'],
  [['milliamp', 'milliamps', 'milliampere', 'milliamperes'], 'mA'],
  [['microamp', 'microamps'], 'µA'],
  [['watt', 'watts'], 'W'],
  [['milliwatt', 'milliwatts'], 'mW'],
  [['kilowatt', 'kilowatts'], 'kW'],
  [['ohm', 'ohms'], 'Ohm'],
  [['kiloohm', 'kiloohms', 'kilohm', 'kilohms'], 'kOhm'],
  [['megaohm', 'megaohms', 'megohm', 'megohms'], 'MOhm'],
  [['hertz'], 'Hz'],
  [['kilohertz'], 'kHz'],
  [['megahertz'], 'MHz'],
  [['gigahertz'], 'GHz'],
  [['farad', 'farads'], 'F'],
  [['microfarad', 'microfarads'], 'µF'],
  [['nanofarad', 'nanofarads'], 'nF'],
  [['picofarad', 'picofarads'], 'pF'],
  [['byte', 'bytes'], 'bytes'],
  [['kilobyte', 'kilobytes'], 'KB'],
  [['megabyte', 'megabytes'], 'MB'],
  [['gigabyte', 'gigabytes'], 'GB'],
  [['terabyte', 'terabytes'], 'TB'],
  [['kibibyte', 'kibibytes'], 'KiB'],
  [['mebibyte', 'mebibytes'], 'MiB'],
  [['gibibyte', 'gibibytes'], 'GiB'],
  [['megabit', 'megabits'], 'Mbit'],
  [['gigabit', 'gigabits'], 'Gbit'],
  [['millisecond', 'milliseconds'], 'ms'],
  [['microsecond', 'microseconds'], 'µs'],
  [['millimetre', 'millimetres', 'millimeter', 'millimeters'], 'mm'],
  [['centimetre', 'centimetres', 'centimeter', 'centimeters'], 'cm'],
  [['kilogram', 'kilograms'], 'kg'],
  [['gram', 'grams'], 'g'],
  [['dpi'], 'dpi'],
  [['percent'], '%'],
];
const UNIT_OF = new Map(UNITS.flatMap(([words, symbol]) => words.map((w) => [w, symbol] as const)));
const WORDS_OF_UNIT = new Map(UNITS.map(([words, symbol]) => [symbol, words[words.length > 1 ? 1 : 0]!] as const));

export interface SpokenNumberOptions {
  /** Keep the spoken unit next to its symbol ("12 V volts"): both forms reach retrieval. Default false. */
  keepUnitWords?: boolean;
}

const isWord = (t: string | undefined, table: Record<string, number>) => t !== undefined && Object.hasOwn(table, t);
const isNumberWord = (t: string | undefined) => isWord(t, ONES) || isWord(t, TENS) || t === 'hundred' || isWord(t, SCALES);

/**
 * Parses a cardinal starting at tokens[i] ("one hundred and twenty", "two thousand five", "forty two").
 * Returns the value and the index after it, or null when tokens[i] starts no number.
 */
function cardinal(tokens: string[], i: number): { value: number; end: number; simple: boolean } | null {
  let total = 0;
  let group = 0;
  let j = i;
  let seen = false;
  let simple = true; // a single ones/teens/tens(-ones) group without hundred or scale
  let last: 'ones' | 'tens' | 'hundred' | 'scale' | null = null;
  while (j < tokens.length) {
    const t = tokens[j]!;
    if (isWord(t, ONES)) {
      // "twenty five" joins; "five six" or "fifteen five" does not (that is a digit string or a year).
      if (last === 'ones' || (last === 'tens' && ONES[t]! >= 10) || (last === 'tens' && group % 10 !== 0)) break;
      group += ONES[t]!;
      last = 'ones';
    } else if (isWord(t, TENS)) {
      if (last === 'ones' || last === 'tens') break;
      group += TENS[t]!;
      last = 'tens';
    } else if (t === 'hundred') {
      if (last !== 'ones' || group === 0 || group >= 10) break;
      group *= 100;
      last = 'hundred';
      simple = false;
    } else if (isWord(tokens[j], SCALES)) {
      if (!seen || last === 'scale') break;
      total += (group || 1) * SCALES[t]!;
      group = 0;
      last = 'scale';
      simple = false;
    } else if (t === 'and' && (last === 'hundred' || last === 'scale') && (isWord(tokens[j + 1], ONES) || isWord(tokens[j + 1], TENS))) {
      j++;
      continue;
    } else if (t === 'a' && !seen && (tokens[j + 1] === 'hundred' || isWord(tokens[j + 1], SCALES))) {
      group = 1;
      last = 'ones';
      seen = true;
      j++;
      continue;
    } else break;
    seen = true;
    j++;
  }
  return seen ? { value: total + group, end: j, simple } : null;
}

const digit = (t: string | undefined) => (t === 'oh' || t === 'o' ? 0 : t !== undefined && isWord(t, ONES) && ONES[t]! < 10 ? ONES[t]! : null);

/** Digits after "point": "three point one four" -> "14"; also "point one five" read as a number ("fifteen"). */
function fraction(tokens: string[], i: number): { digits: string; end: number } | null {
  let j = i;
  let digits = '';
  while (j < tokens.length && digit(tokens[j]) !== null) digits += String(digit(tokens[j++]));
  if (digits) return { digits, end: j };
  const c = cardinal(tokens, i);
  return c && c.simple ? { digits: String(c.value), end: c.end } : null;
}

interface Token {
  word: string; // lower case, punctuation stripped
  raw: string;
}

/** Rewrites spoken numbers, decimals, versions ("version two point four point one"), years and units. */
export function normaliseSpokenNumbers(text: string, opts: SpokenNumberOptions = {}): string {
  const raws = text.split(/\s+/).filter(Boolean);
  const toks: Token[] = raws.map((raw) => ({ raw, word: raw.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '') }));
  const words = toks.map((t) => t.word);
  const out: string[] = [];
  let i = 0;
  while (i < toks.length) {
    const number = readNumber(words, i);
    if (!number) {
      out.push(toks[i]!.raw);
      i++;
      continue;
    }
    let { text: written, end } = number;
    const unitWord = words[end];
    const symbol = unitWord !== undefined ? UNIT_OF.get(unitWord) : undefined;
    if (symbol) {
      written += ` ${symbol}${opts.keepUnitWords && symbol !== unitWord ? ` ${unitWord}` : ''}`;
      end++;
    }
    // Trailing punctuation of the last consumed token stays ("... ninety?" -> "... 90?").
    const trail = /[^\p{L}\p{N}]+$/u.exec(toks[end - 1]!.raw)?.[0] ?? '';
    const lead = /^[^\p{L}\p{N}]+/u.exec(toks[i]!.raw)?.[0] ?? '';
    out.push(lead + written + trail);
    i = end;
  }
  return out.join(' ');
}

/** The number starting at words[i], written in digits, or null. */
function readNumber(words: string[], i: number): { text: string; end: number } | null {
  const w = words[i];
  // "a" and "oh" only count inside a number, never start one on their own.
  if (w === undefined || w === 'and' || (!isNumberWord(w) && !(w === 'a' && (words[i + 1] === 'hundred' || isWord(words[i + 1], SCALES))))) return null;
  // Digit strings: "eight zero eight zero" -> 8080, "one two seven" -> 127 (three or more single digits, or two plus "oh").
  let j = i;
  let digits = '';
  while (j < words.length && digit(words[j]) !== null && (j > i || words[j] !== 'oh')) digits += String(digit(words[j++]));
  if (digits.length >= 3 || (digits.length === 2 && !isWord(words[j], TENS) && words[j] !== 'hundred' && !isWord(words[j], SCALES) && words[j] !== 'point')) {
    if (digits.length === 2 && words[i] !== 'zero' && !words.slice(i, j).includes('zero')) {
      // Two single digits ("one two") are as often "one or two" in speech: only join around a zero.
    } else return withDecimals(words, digits, j);
  }
  const first = cardinal(words, i);
  if (!first) return null;
  // Years and model numbers said in pairs: "nineteen ninety" -> 1990, "twenty twenty three" -> 2023, "nineteen oh five" -> 1905.
  if (first.simple && first.value >= 10 && first.value <= 99) {
    if ((words[first.end] === 'oh' || words[first.end] === 'o') && digit(words[first.end + 1]) !== null && words[first.end + 1] !== 'oh') {
      return { text: `${first.value}0${digit(words[first.end + 1])}`, end: first.end + 2 };
    }
    const second = cardinal(words, first.end);
    if (second && second.simple && second.value >= 10 && second.value <= 99) return { text: `${first.value}${second.value}`, end: second.end };
    if (first.value >= 10 && first.value <= 19 && words[first.end] === 'hundred') {
      // "nineteen hundred" (a year) -> 1900; cardinal() refused "hundred" after a teen
      const rest = words[first.end + 1] === 'and' ? first.end + 2 : first.end + 1;
      const tail = cardinal(words, rest);
      if (tail && tail.simple && tail.value < 100) return { text: String(first.value * 100 + tail.value), end: tail.end };
      return { text: String(first.value * 100), end: first.end + 1 };
    }
  }
  // A lone small number stays a word ("which one", "one or two", "two ports"), as manual prose writes it,
  // unless a decimal point or a unit follows.
  if (first.simple && first.value < 10 && first.end === i + 1 && words[first.end] !== 'point' && !UNIT_OF.has(words[first.end] ?? '')) return null;
  return withDecimals(words, String(first.value), first.end);
}

/** "<n> point <digits> [point <digits>...]" -> "n.d[.d]". */
function withDecimals(words: string[], whole: string, end: number): { text: string; end: number } {
  let text = whole;
  let j = end;
  while (words[j] === 'point' || words[j] === 'dot') {
    const f = fraction(words, j + 1);
    if (!f) break;
    text += `.${f.digits}`;
    j = f.end;
  }
  return { text, end: j };
}

// ---------------------------------------------------------------------------------------------
// The other direction: written -> spoken, for building a recogniser's language model from manuals.

const ONES_WORDS = Object.keys(ONES);
const TENS_WORDS = ['', '', ...Object.keys(TENS)];

/** 0..999_999_999 as words ("one hundred twenty"); larger or negative numbers as digit words. */
export function numberToWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 1e9) return digitWords(String(Math.abs(Math.trunc(n))));
  if (n < 20) return ONES_WORDS[n]!;
  if (n < 100) return TENS_WORDS[Math.floor(n / 10)]! + (n % 10 ? ` ${ONES_WORDS[n % 10]}` : '');
  if (n < 1000) return `${ONES_WORDS[Math.floor(n / 100)]} hundred${n % 100 ? ` ${numberToWords(n % 100)}` : ''}`;
  for (const [scale, size] of [['million', 1e6], ['thousand', 1e3]] as const) {
    if (n >= size) return `${numberToWords(Math.floor(n / size))} ${scale}${n % size ? ` ${numberToWords(n % size)}` : ''}`;
  }
  return '';
}

const digitWords = (digits: string) => [...digits].map((d) => ONES_WORDS[Number(d)]!).join(' ');

/** How a written number is usually said: years as pairs, long digit strings and leading zeros digit by digit, decimals with "point". */
export function sayNumber(written: string): string {
  const [whole, ...parts] = written.split('.');
  if (!whole || !/^\d+$/.test(whole) || parts.some((p) => !/^\d+$/.test(p))) return written;
  const n = Number(whole);
  let said: string;
  if (whole.length > 1 && whole.startsWith('0')) said = digitWords(whole);
  else if (parts.length === 0 && whole.length === 4 && n >= 1100 && n <= 2099 && n % 100 !== 0 && !(n >= 2000 && n <= 2009)) {
    const lo = n % 100;
    said = `${numberToWords(Math.floor(n / 100))} ${lo < 10 ? `oh ${ONES_WORDS[lo]}` : numberToWords(lo)}`;
  } else if (whole.length > 6) said = digitWords(whole);
  else said = numberToWords(n);
  return [said, ...parts.map(digitWords)].join(' point ');
}

/** The spoken form of a unit symbol ("GHz" -> "gigahertz"), or undefined. */
export function unitWords(symbol: string): string | undefined {
  return WORDS_OF_UNIT.get(symbol);
}

/**
 * Written text -> what a speaker says, for a recogniser's language model: "12 V" -> "twelve volts",
 * "2.4GHz" -> "two point four gigahertz", "v3.1" -> "v three point one", "1990" -> "nineteen ninety".
 * Words that are not numbers pass through unchanged.
 */
export function spokenForm(text: string): string {
  return text
    .replace(/(\d+(?:\.\d+)*)\s?(µ[AFs]|[kMGT]?Hz|[mk]?V|m?A|[mk]?W|[kM]?Ohm|Ω|[pnµ]?F|[KMGT]i?B|[MG]bit|ms|mm|cm|kg|dpi|%)(?![\p{L}\p{N}])/gu, (_, n: string, u: string) => {
      const word = unitWords(u === 'Ω' ? 'Ohm' : u);
      return `${sayNumber(n)}${word ? ` ${word}` : ` ${u}`}`;
    })
    .replace(/\d+(?:\.\d+)*/g, (n) => ` ${sayNumber(n)} `)
    .replace(/\s+/g, ' ')
    .trim();
}
