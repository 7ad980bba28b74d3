import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGenericUnigrams } from './sphinx-generic-lexicon.js';
import { buildArpa } from './sphinx-language-model.js';
import { PronunciationDictionary, espeakPronounce, flitePronounce } from './sphinx-pronunciations.js';
import { QUESTION_SENTENCES, TERM_TEMPLATES } from './sphinx-question-corpus.js';

export interface SphinxModelFiles {
  lm: string;
  dict: string;
  words: number;
}

export interface BiasedModelOptions {
  modelDir: string; // pocketsphinx en-us model folder (cmudict-en-us.dict, en-us.lm.bin)
  cacheDir: string;
  /** Everyday words taken from the generic model. */
  genericWords?: number;
  /** Weight of the generic words in the unigram distribution (0.15 measured best of 0.15/0.3/0.5). */
  genericWeight?: number;
}

const MAX_HINTS = 4000;
const MAX_CORPUS_WORDS = 250_000;
const KEEP_MODELS = 20;
const TOP_TERMS = 150;

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .split(/[^a-z0-9']+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

/** Sentences of manual passages: split at sentence ends and line breaks (headings, list items). */
export function corpusSentences(passages: string[]): string[][] {
  const out: string[][] = [];
  let words = 0;
  for (const p of passages) {
    for (const s of p.split(/(?<=[.!?:;])\s+|\n+/)) {
      const t = tokenize(s);
      if (t.length < 2) continue;
      out.push(t);
      words += t.length;
      if (words > MAX_CORPUS_WORDS) return out;
    }
  }
  return out;
}

/**
 * Builds (once per distinct hint list and corpus, cached on disk) a small trigram model +
 * dictionary biased toward the caller's manuals: their sentences, their distinctive terms in
 * question-shaped slots, generic question sentences, and everyday English words from the generic
 * model. Vocabulary stays ~10k words instead of 130k, which is also what makes it fast.
 */
export class BiasedModelBuilder {
  private dictionary: PronunciationDictionary | null = null;
  private generic: Map<string, number> | null = null;
  private readonly pending = new Map<string, Promise<SphinxModelFiles>>();
  // The hint arrays are memoised upstream, so identity is a cheap cache key for the hash.
  private readonly keys = new WeakMap<string[], WeakMap<string[], string>>();

  constructor(private readonly opts: BiasedModelOptions) {}

  key(hints: string[], corpus: string[] = []): string {
    const known = this.keys.get(hints)?.get(corpus);
    if (known) return known;
    const h = createHash('sha256');
    h.update(`v4|${this.opts.genericWords ?? 6000}|${this.opts.genericWeight ?? 0.15}|`);
    for (const x of hints.slice(0, MAX_HINTS)) h.update(x + '\n');
    h.update('\u0000');
    for (const x of corpus) h.update(x + '\n');
    const key = h.digest('hex').slice(0, 24);
    if (!this.keys.has(hints)) this.keys.set(hints, new WeakMap());
    this.keys.get(hints)!.set(corpus, key);
    return key;
  }

  /** The model for these hints: from the cache, or built (concurrent callers share one build). */
  async model(hints: string[], corpus: string[] = []): Promise<SphinxModelFiles> {
    const key = this.key(hints, corpus);
    const dir = join(this.opts.cacheDir, key);
    const files = { lm: join(dir, 'model.lm'), dict: join(dir, 'model.dict') };
    if (existsSync(files.lm) && existsSync(files.dict)) return { ...files, words: -1 };
    const running = this.pending.get(key);
    if (running) return running;
    const build = this.build(hints.slice(0, MAX_HINTS), corpus, dir, files).finally(() => this.pending.delete(key));
    this.pending.set(key, build);
    return build;
  }

  private async build(hints: string[], corpus: string[], dir: string, files: { lm: string; dict: string }): Promise<SphinxModelFiles> {
    this.dictionary ??= new PronunciationDictionary(join(this.opts.modelDir, 'cmudict-en-us.dict'));
    this.generic ??= readGenericUnigrams(join(this.opts.modelDir, 'en-us.lm.bin'), this.opts.genericWords ?? 6000);
    const dict = this.dictionary;

    const sentences: string[][] = QUESTION_SENTENCES.map(tokenize);
    const original = new Map<string, string>();
    const hintWords = new Set<string>();
    hints.forEach((hint, i) => {
      for (const raw of hint.split(/[^A-Za-z0-9'’]+/)) if (raw) original.set(raw.toLowerCase(), raw);
      const words = tokenize(hint);
      if (words.length === 0) return;
      words.forEach((w) => hintWords.add(w));
      sentences.push(words);
      if (words.length <= 3) {
        // The most distinctive terms (hints come best first) fill every question slot; the long
        // tail two slots each, rotating, so every slot pattern still sees many terms.
        const slots = i < TOP_TERMS ? TERM_TEMPLATES : [TERM_TEMPLATES[i % TERM_TEMPLATES.length]!, TERM_TEMPLATES[(i + 3) % TERM_TEMPLATES.length]!];
        for (const t of slots) sentences.push(tokenize(t.replace(/_/g, words.join(' '))));
      }
    });
    const fromCorpus = corpusSentences(corpus);
    sentences.push(...fromCorpus);

    // Words outside the CMU dictionary: the distinctive terms always get a pronunciation; other
    // manual words only when frequent and alphabetic, since every rule-made pronunciation is a
    // chance for the recogniser to hear it where it was not said (spelled letters match almost anything).
    const corpusCounts = new Map<string, number>();
    for (const s of fromCorpus) for (const w of s) corpusCounts.set(w, (corpusCounts.get(w) ?? 0) + 1);
    const pron = new Map<string, string[]>();
    const needLts: string[] = [];
    const wanted = new Set([...sentences.flat(), ...this.generic.keys()]);
    for (const w of wanted) {
      const known = dict.lookup(w);
      if (known) {
        pron.set(w, known);
        continue;
      }
      const isHint = hintWords.has(w);
      if (!isHint && !((corpusCounts.get(w) ?? 0) >= 3 && /^[a-z]{4,}$/.test(w))) continue;
      const p = dict.derive(w, original.get(w) ?? w, { spell: isHint });
      if (p.length > 0) pron.set(w, p);
      // Rules, flite and espeak guess differently: offering each lets the acoustics pick.
      if (/^[a-z][a-z0-9]{2,}$/.test(w)) needLts.push(w);
    }
    const [byFlite, byEspeak] = await Promise.all([flitePronounce(needLts), espeakPronounce(needLts)]);
    for (const guesses of [byFlite, byEspeak]) {
      for (const [w, p] of guesses) {
        const known = pron.get(w) ?? [];
        if (!known.includes(p)) pron.set(w, [...known, p]);
      }
    }

    const { arpa, vocabulary } = buildArpa({
      sentences,
      background: this.generic,
      backgroundWeight: this.opts.genericWeight ?? 0.15,
      allowed: (w) => pron.has(w),
    });
    const dictLines: string[] = [];
    for (const w of vocabulary) pron.get(w)!.forEach((p, i) => dictLines.push(`${i === 0 ? w : `${w}(${i + 1})`} ${p}`));

    // Written under temporary names and renamed, so a concurrent reader never sees half a model.
    mkdirSync(dir, { recursive: true });
    writeFileSync(files.dict + '.tmp', dictLines.join('\n') + '\n');
    writeFileSync(files.lm + '.tmp', arpa);
    renameSync(files.dict + '.tmp', files.dict);
    renameSync(files.lm + '.tmp', files.lm);
    this.prune();
    return { ...files, words: vocabulary.length };
  }

  /** Keeps the most recently built models; older ones belong to manual sets that changed. */
  private prune(): void {
    try {
      const dirs = readdirSync(this.opts.cacheDir)
        .map((name) => ({ name, at: statSync(join(this.opts.cacheDir, name)).mtimeMs }))
        .sort((a, b) => b.at - a.at);
      for (const d of dirs.slice(KEEP_MODELS)) rmSync(join(this.opts.cacheDir, d.name), { recursive: true, force: true });
    } catch {
      // a cache we cannot tidy is still a cache
    }
  }
}
