import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGenericUnigrams } from './sphinx-generic-lexicon.js';
import { buildArpa } from './sphinx-language-model.js';
import { PronunciationDictionary, espeakPronounce } from './sphinx-pronunciations.js';
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
  /** Weight of the generic words in the unigram distribution. */
  genericWeight?: number;
}

const MAX_HINTS = 4000;

export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .split(/[^a-z0-9']+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

/**
 * Builds (once per distinct hint list, cached on disk) a small trigram model + dictionary biased
 * toward the words of the caller's manuals: question-shaped sentences, manual terms in question
 * slots, the hints themselves, and everyday English words from the generic model.
 */
export class BiasedModelBuilder {
  private dictionary: PronunciationDictionary | null = null;
  private generic: Map<string, number> | null = null;
  private readonly pending = new Map<string, Promise<SphinxModelFiles>>();

  constructor(private readonly opts: BiasedModelOptions) {}

  key(hints: string[]): string {
    const h = createHash('sha256');
    h.update(`v1|${this.opts.genericWords ?? 6000}|${this.opts.genericWeight ?? 0.3}|`);
    for (const x of hints.slice(0, MAX_HINTS)) h.update(x + '\n');
    return h.digest('hex').slice(0, 24);
  }

  /** The model for these hints: from the cache, or built (concurrent callers share one build). */
  async model(hints: string[]): Promise<SphinxModelFiles> {
    const key = this.key(hints);
    const dir = join(this.opts.cacheDir, key);
    const files = { lm: join(dir, 'model.lm'), dict: join(dir, 'model.dict') };
    if (existsSync(files.lm) && existsSync(files.dict)) return { ...files, words: -1 };
    const running = this.pending.get(key);
    if (running) return running;
    const build = this.build(hints.slice(0, MAX_HINTS), dir, files).finally(() => this.pending.delete(key));
    this.pending.set(key, build);
    return build;
  }

  private async build(hints: string[], dir: string, files: { lm: string; dict: string }): Promise<SphinxModelFiles> {
    this.dictionary ??= new PronunciationDictionary(join(this.opts.modelDir, 'cmudict-en-us.dict'));
    this.generic ??= readGenericUnigrams(join(this.opts.modelDir, 'en-us.lm.bin'), this.opts.genericWords ?? 6000);
    const dict = this.dictionary;

    const sentences: string[][] = QUESTION_SENTENCES.map(tokenize);
    const original = new Map<string, string>();
    hints.forEach((hint, i) => {
      for (const raw of hint.split(/[^A-Za-z0-9'’]+/)) if (raw) original.set(raw.toLowerCase(), raw);
      const words = tokenize(hint);
      if (words.length === 0) return;
      sentences.push(words);
      if (words.length <= 3) {
        // Two templates per term, rotating, so every slot pattern sees many terms.
        for (const t of [TERM_TEMPLATES[i % TERM_TEMPLATES.length]!, TERM_TEMPLATES[(i + 3) % TERM_TEMPLATES.length]!]) {
          sentences.push(tokenize(t.replace(/_/g, words.join(' '))));
        }
      }
    });

    const pron = new Map<string, string[]>();
    const needEspeak: string[] = [];
    const wanted = new Set([...sentences.flat(), ...this.generic.keys()]);
    for (const w of wanted) {
      const p = dict.derive(w, original.get(w) ?? w);
      if (p.length > 0) pron.set(w, p);
      else if (/^[a-z]{3,}$/.test(w)) needEspeak.push(w);
    }
    for (const [w, p] of await espeakPronounce(needEspeak)) pron.set(w, [p]);

    const { arpa, vocabulary } = buildArpa({
      sentences,
      background: this.generic,
      backgroundWeight: this.opts.genericWeight ?? 0.3,
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
    return { ...files, words: vocabulary.length };
  }
}
