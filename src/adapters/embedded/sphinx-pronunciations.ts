import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Pronunciations (CMU ARPAbet phones) for the words of a biased language model.
 * Manual vocabulary is full of words the stock dictionary lacks (product names, acronyms,
 * compounds), so, in order: the CMU dictionary, spelled-out letters for short all-caps or
 * consonant-only tokens, compounds of dictionary words ("freedombox" = freedom + box), and last
 * espeak-ng's letter-to-sound rules mapped to ARPAbet.
 */
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

export class PronunciationDictionary {
  private readonly entries = new Map<string, string[]>();

  constructor(dictFile: string) {
    for (const line of readFileSync(dictFile, 'utf8').split('\n')) {
      const sp = line.indexOf(' ');
      if (sp <= 0) continue;
      const word = line.slice(0, sp).replace(/\(\d+\)$/, '');
      const phones = line.slice(sp + 1).trim();
      const list = this.entries.get(word) ?? [];
      list.push(phones);
      this.entries.set(word, list);
    }
  }

  lookup(word: string): string[] | undefined {
    return this.entries.get(word);
  }

  /** Phones of a word in the dictionary, or derived by rule; [] when nothing sensible exists. */
  derive(word: string, original = word, opts: { spell?: boolean } = {}): string[] {
    const known = this.entries.get(word);
    if (known) return known;
    if (!/^[a-z][a-z0-9']*$/.test(word)) return [];
    const variants: string[] = [];
    const letters = this.spell(word);
    const looksAcronym = (original.length <= 5 && original === original.toUpperCase()) || !/[aeiouy]/.test(word);
    if (looksAcronym && letters && opts.spell !== false) variants.push(letters);
    const compound = this.compound(word);
    if (compound) variants.push(compound);
    const parts = this.camelParts(original);
    if (parts && !variants.includes(parts)) variants.push(parts);
    return variants;
  }

  /** "OpenNI" = open + N I, "expEYES17" = exp + eyes + 17: split where the case or digits change. */
  private camelParts(original: string): string | null {
    const pieces = original.match(/[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|[A-Z]|\d+/g);
    if (!pieces || pieces.length < 2) return null;
    const phones: string[] = [];
    for (const piece of pieces) {
      const lower = piece.toLowerCase();
      const p = /^\d+$/.test(piece)
        ? [...piece].map((d) => this.entries.get(DIGITS[+d]!)?.[0]).join(' ')
        : piece === piece.toUpperCase() && (piece.length < 4 || !this.entries.has(lower))
          ? this.spell(lower)
          : (this.entries.get(lower)?.[0] ?? (lower.length <= 3 ? this.spell(lower) : null));
      if (!p) return null;
      phones.push(p);
    }
    return phones.join(' ');
  }

  spell(word: string): string | null {
    const parts = [...word.replace(/'/g, '')].map((ch) => this.entries.get(ch)?.[0]);
    return parts.every(Boolean) && word.length <= 6 ? parts.join(' ') : null;
  }

  /** Split into at most three dictionary words of 3+ letters, preferring the fewest, longest parts. */
  private compound(word: string, depth = 0): string | null {
    if (depth > 2) return null;
    for (let cut = word.length - 3; cut >= 3; cut--) {
      const head = this.entries.get(word.slice(0, cut));
      if (!head) continue;
      const restWord = word.slice(cut);
      const rest = this.entries.get(restWord)?.[0] ?? this.compound(restWord, depth + 1);
      if (rest) return `${head[0]} ${rest}`;
    }
    return null;
  }
}

// espeak-ng's English phoneme mnemonics -> ARPAbet.
const ESPEAK_TO_ARPABET: Record<string, string> = {
  a: 'AE', 'a#': 'AH', aa: 'AA', 'A:': 'AA', 'A@': 'AA R', 'A#': 'AE', '@': 'AH', '@2': 'AH', '@5': 'AH', '@L': 'AH L',
  '@r': 'ER', '3': 'ER', '3:': 'ER', '0': 'AA', 'O:': 'AO', 'O@': 'AO R', 'o@': 'AO R', O: 'AO', oU: 'OW', 'oU#': 'OW',
  aI: 'AY', 'aI@': 'AY ER', 'aI3': 'AY ER', aU: 'AW', 'aU@': 'AW ER', eI: 'EY', 'e@': 'EH R', E: 'EH', E2: 'EH', e: 'EH',
  i: 'IY', 'i:': 'IY', I: 'IH', I2: 'IH', 'I#': 'IH', 'i@': 'IY ER', 'i@3': 'IY R', 'u:': 'UW', u: 'UW', U: 'UH',
  'U@': 'UH R', V: 'AH', OI: 'OY', 'IR': 'IH R', 'VR': 'AH R', 'ER': 'EH R',
  p: 'P', b: 'B', t: 'T', d: 'D', k: 'K', g: 'G', f: 'F', v: 'V', T: 'TH', D: 'DH', s: 'S', z: 'Z', S: 'SH', Z: 'ZH',
  h: 'HH', m: 'M', n: 'N', N: 'NG', l: 'L', r: 'R', j: 'Y', w: 'W', tS: 'CH', dZ: 'JH', x: 'K', t2: 'T', d2: 'D',
  't#': 'T', 'n-': 'N', 'l-': 'L', 'r-': 'R', 'm-': 'M', '*': 'T', 'l/': 'L', 'l/2': 'L', 'z/2': 'Z',
};

/** Letter-to-sound by espeak-ng for the words nothing else could pronounce (one process per batch). */
export async function espeakPronounce(words: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (words.length === 0) return out;
  try {
    // A full stop after each word makes espeak end a clause, so one output line per word.
    const { stdout } = await run('espeak-ng', ['-q', '-x', '--sep=_', '-v', 'en-us', words.map((w) => `${w}.`).join('\n')], { timeout: 20_000, maxBuffer: 16 << 20 });
    const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (lines.length !== words.length) return out;
    words.forEach((w, i) => {
      const phones = lines[i]!
        .split(/[_\s]+/)
        .map((p) => p.replace(/[',%=]/g, ''))
        .filter(Boolean)
        .map((p) => ESPEAK_TO_ARPABET[p] ?? ESPEAK_TO_ARPABET[p.replace(/[#2-]$/, '')]);
      if (phones.length > 0 && phones.every(Boolean)) out.set(w, phones.join(' '));
    });
  } catch {
    // espeak-ng missing or failed: those words stay out of the model.
  }
  return out;
}

/**
 * Letter-to-sound by flite, whose rules were trained on the CMU dictionary, so its phones are
 * already ARPAbet (its schwa "ax" is the dictionary's AH). flite prints the phones of a whole
 * text with "pau" at sentence ends: words go in as one-word sentences, in batches; a batch whose
 * pauses do not line up with its words is split until they do.
 */
export async function flitePronounce(words: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const batch = async (ws: string[]): Promise<void> => {
    if (ws.length === 0) return;
    let stdout: string;
    try {
      ({ stdout } = await run('flite', ['-t', ws.map((w) => `${w}.`).join(' '), '-ps', '-o', '/dev/null'], { timeout: 30_000, maxBuffer: 16 << 20 }));
    } catch {
      return; // flite missing or failed: espeak's guesses remain
    }
    const segments = stdout
      .trim()
      .split(/\bpau\b/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (segments.length === ws.length) {
      ws.forEach((w, i) => out.set(w, segments[i]!.split(/\s+/).map((p) => (p === 'ax' ? 'AH' : p.toUpperCase())).join(' ')));
    } else if (ws.length > 1) {
      const half = Math.ceil(ws.length / 2);
      await batch(ws.slice(0, half));
      await batch(ws.slice(half));
    }
  };
  for (let i = 0; i < words.length; i += 100) await batch(words.slice(i, i + 100));
  return out;
}
