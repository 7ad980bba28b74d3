/**
 * A small trigram language model in ARPA format, built in-process from sentences.
 *
 * Why hand-written: pocketsphinx reads ARPA text directly, Debian ships no LM estimation tool for
 * it, and the per-user models are tiny (a few thousand words), so absolute discounting with
 * Katz-style back-off is accurate enough and builds in milliseconds.
 */

export interface LanguageModelInput {
  /** Tokenised sentences (lower-case words), without <s> and </s>. */
  sentences: string[][];
  /** Extra unigram mass: word -> probability under a background model (need not sum to 1). */
  background?: Map<string, number>;
  /** Share of unigram probability given to the background distribution (0..1). */
  backgroundWeight?: number;
  /** Words that may appear in a sentence but must not enter the model (no pronunciation). */
  allowed?: (word: string) => boolean;
}

const DISCOUNT = 0.5;
const SEP = '\u0001';
const log10 = (p: number) => Math.log10(Math.max(p, 1e-99)).toFixed(4);

export function buildArpa(input: LanguageModelInput): { arpa: string; vocabulary: string[] } {
  const allowed = input.allowed ?? (() => true);
  const uni = new Map<string, number>();
  const bi = new Map<string, number>();
  const tri = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  for (const raw of input.sentences) {
    // An unpronounceable word breaks the sentence so no n-gram spans it.
    const segments: string[][] = [[]];
    for (const w of raw) allowed(w) ? segments[segments.length - 1]!.push(w) : segments.push([]);
    for (const seg of segments) {
      if (seg.length === 0) continue;
      const s = ['<s>', ...seg, '</s>'];
      for (let i = 0; i < s.length; i++) {
        if (i > 0) bump(uni, s[i]!);
        if (i >= 1) bump(bi, s[i - 1] + SEP + s[i]);
        if (i >= 2) bump(tri, s[i - 2] + SEP + s[i - 1] + SEP + s[i]);
      }
    }
  }

  // Unigrams: corpus relative frequency, interpolated with the background distribution, plus
  // a small floor so every vocabulary word stays reachable.
  const vocab = new Set<string>([...uni.keys()].filter((w) => w !== '</s>'));
  const bg = new Map<string, number>();
  for (const [w, p] of input.background ?? []) if (allowed(w)) (vocab.add(w), bg.set(w, p));
  const bgTotal = [...bg.values()].reduce((a, b) => a + b, 0) || 1;
  const lambda = bg.size > 0 ? (input.backgroundWeight ?? 0.3) : 0;
  const total = [...uni.values()].reduce((a, b) => a + b, 0) || 1;
  const floor = 0.02 / (vocab.size + 1);
  const p1 = new Map<string, number>();
  for (const w of [...vocab, '</s>']) {
    const pc = (uni.get(w) ?? 0) / total;
    const pb = (bg.get(w) ?? 0) / bgTotal;
    p1.set(w, 0.98 * ((1 - lambda) * pc + lambda * pb) + floor);
  }

  const children = (grams: Map<string, number>) => {
    const byHistory = new Map<string, { count: number; next: Map<string, number> }>();
    for (const [k, c] of grams) {
      const cut = k.lastIndexOf(SEP);
      const h = k.slice(0, cut);
      const e = byHistory.get(h) ?? { count: 0, next: new Map() };
      e.count += c;
      e.next.set(k.slice(cut + 1), c);
      byHistory.set(h, e);
    }
    return byHistory;
  };

  // Bigram probabilities and unigram back-off weights.
  const p2 = new Map<string, number>();
  const bo1 = new Map<string, number>();
  for (const [h, e] of children(bi)) {
    let seenLower = 0;
    for (const [w, c] of e.next) {
      p2.set(h + SEP + w, (c - DISCOUNT) / e.count);
      seenLower += p1.get(w) ?? 0;
    }
    const left = (DISCOUNT * e.next.size) / e.count;
    bo1.set(h, left / Math.max(1 - seenLower, 1e-6));
  }
  const pBigram = (h: string, w: string) => p2.get(h + SEP + w) ?? (bo1.get(h) ?? 1) * (p1.get(w) ?? floor);

  const p3 = new Map<string, number>();
  const bo2 = new Map<string, number>();
  for (const [h, e] of children(tri)) {
    const last = h.slice(h.indexOf(SEP) + 1);
    let seenLower = 0;
    for (const [w, c] of e.next) {
      p3.set(h + SEP + w, (c - DISCOUNT) / e.count);
      seenLower += pBigram(last, w);
    }
    const left = (DISCOUNT * e.next.size) / e.count;
    if (p2.has(h)) bo2.set(h, left / Math.max(1 - seenLower, 1e-6));
  }
  // A trigram whose bigram history is absent would be unreachable in ARPA: drop it.
  for (const k of p3.keys()) if (!p2.has(k.slice(0, k.lastIndexOf(SEP)))) p3.delete(k);

  const lines: string[] = ['\\data\\', `ngram 1=${p1.size + 1}`, `ngram 2=${p2.size}`, `ngram 3=${p3.size}`, '', '\\1-grams:'];
  lines.push(`-99.0000\t<s>\t${log10(bo1.get('<s>') ?? 1)}`);
  for (const [w, p] of p1) lines.push(`${log10(p)}\t${w}${w === '</s>' ? '' : `\t${log10(bo1.get(w) ?? 1)}`}`);
  lines.push('', '\\2-grams:');
  for (const [k, p] of p2) {
    const bo = bo2.get(k);
    lines.push(`${log10(p)}\t${k.split(SEP).join(' ')}${bo === undefined ? '' : `\t${log10(bo)}`}`);
  }
  lines.push('', '\\3-grams:');
  for (const [k, p] of p3) lines.push(`${log10(p)}\t${k.split(SEP).join(' ')}`);
  lines.push('', '\\end\\', '');
  return { arpa: lines.join('\n'), vocabulary: [...vocab] };
}
