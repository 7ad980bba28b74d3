import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readGenericUnigrams } from './sphinx-generic-lexicon.js';
import { buildArpa } from './sphinx-language-model.js';
import { PronunciationDictionary, espeakPronounce, flitePronounce } from './sphinx-pronunciations.js';
import { QUESTION_SENTENCES, TERM_TEMPLATES } from './sphinx-question-corpus.js';

export interface BuildRequest {
  hints: string[];
  corpus: string[];
  modelDir: string;
  genericWords: number;
  genericWeight: number;
  files: { lm: string; dict: string };
}

const MAX_CORPUS_WORDS = 250_000;
const TOP_TERMS = 150;

// Loaded once per process (the build worker lives on between builds).
const dictionaries: Record<string, PronunciationDictionary> = {};
const lexicons: Record<string, Map<string, number>> = {};

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
 * One biased model + dictionary written to `files`: the manuals' sentences, their distinctive terms
 * in question-shaped slots, generic question sentences, and everyday English words from the
 * generic model. Vocabulary stays ~10k words instead of 130k, which is also what makes it fast.
 * Returns the vocabulary size. CPU-heavy for large manuals: runs in a worker (sphinx-model-worker).
 */
export async function buildBiasedModel(req: BuildRequest): Promise<number> {
const { hints, corpus, files } = req;
const dict = (dictionaries[req.modelDir] ??= new PronunciationDictionary(join(req.modelDir, 'cmudict-en-us.dict')));
const generic = (lexicons[`${req.modelDir}|${req.genericWords}`] ??= readGenericUnigrams(join(req.modelDir, 'en-us.lm.bin'), req.genericWords));

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
  const wanted = new Set([...sentences.flat(), ...generic.keys()]);
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
    background: generic,
    backgroundWeight: req.genericWeight,
    allowed: (w) => pron.has(w),
  });
  const dictLines: string[] = [];
  for (const w of vocabulary) pron.get(w)!.forEach((p, i) => dictLines.push(`${i === 0 ? w : `${w}(${i + 1})`} ${p}`));

  // Written under temporary names and renamed, so a concurrent reader never sees half a model.
  mkdirSync(dirname(files.lm), { recursive: true });
  writeFileSync(files.dict + '.tmp', dictLines.join('\n') + '\n');
  writeFileSync(files.lm + '.tmp', arpa);
  renameSync(files.dict + '.tmp', files.dict);
  renameSync(files.lm + '.tmp', files.lm);
  return vocabulary.length;
}
