import type { Chunk } from '../../core/model/types.js';
import { queryTerms } from '../../core/ask/query-terms.js';
import { tokenize } from './bm25-tokenizer.js';

/**
 * An in-memory keyword index of one manual's chunks that scores like SQLite FTS5's
 * `bm25(kb_fts, 1.0, 0.6)` over an OR of quoted phrases (SqliteKnowledgeBase's query): the same
 * tokens (bm25-tokenizer.ts), phrase instances counted per column and weighted (text 1.0, heading 0.6),
 * document length = tokens of both columns, k1 = 1.2, b = 0.75, IDF = ln((N - n + 0.5) / (n + 0.5))
 * floored at 1e-6. N, n and the average length are taken over the shards searched together (the
 * caller's visible manuals), where FTS5 takes them over its whole table (every owner's manuals).
 */

const K1 = 1.2;
const B = 0.75;
const HEADING_WEIGHT = 0.6;

/** A quoted FTS5 phrase: consecutive tokens; with `prefix`, the last one matches the tokens it begins. */
export interface Phrase {
  tokens: string[];
  prefix: boolean;
}

interface Posting {
  docs: number[];
  tfText: number[];
  tfHeading: number[];
}

export class TextIndex {
  /** Token ids per document, per column (0 = text, 1 = heading). */
  private readonly columns: [Int32Array[], Int32Array[]] = [[], []];
  readonly lengths: Int32Array;
  readonly totalTokens: number;
  private readonly ids = new Map<string, number>();
  private readonly postings: Posting[] = [];
  private sorted: string[] | null = null;

  constructor(chunks: readonly Pick<Chunk, 'text' | 'heading'>[]) {
    this.lengths = new Int32Array(chunks.length);
    let total = 0;
    chunks.forEach((c, doc) => {
      const text = this.encode(tokenize(c.text));
      const heading = this.encode(tokenize(c.heading ?? ''));
      this.columns[0].push(text);
      this.columns[1].push(heading);
      this.lengths[doc] = text.length + heading.length;
      total += text.length + heading.length;
      this.post(text, doc, 'tfText');
      this.post(heading, doc, 'tfHeading');
    });
    this.totalTokens = total;
  }

  get size(): number {
    return this.lengths.length;
  }

  private encode(tokens: string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    tokens.forEach((t, i) => {
      let id = this.ids.get(t);
      if (id === undefined) {
        this.ids.set(t, (id = this.postings.length));
        this.postings.push({ docs: [], tfText: [], tfHeading: [] });
      }
      out[i] = id;
    });
    return out;
  }

  private post(tokens: Int32Array, doc: number, column: 'tfText' | 'tfHeading'): void {
    for (const id of tokens) {
      const p = this.postings[id]!;
      if (p.docs[p.docs.length - 1] !== doc) {
        p.docs.push(doc);
        p.tfText.push(0);
        p.tfHeading.push(0);
      }
      p[column][p.docs.length - 1]!++;
    }
  }

  /** Term ids a phrase position may match: the token itself, or with a prefix every token it begins. */
  private termIds(token: string, prefix: boolean): number[] {
    if (!prefix) {
      const id = this.ids.get(token);
      return id === undefined ? [] : [id];
    }
    this.sorted ??= [...this.ids.keys()].sort();
    const out: number[] = [];
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < token) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sorted.length && this.sorted[i]!.startsWith(token); i++) out.push(this.ids.get(this.sorted[i]!)!);
    return out;
  }

  /**
   * Documents containing the phrase, each with its weighted instance count (text instances first, then
   * heading ones, summed in that order as FTS5's bm25() does).
   */
  match(phrase: Phrase): Map<number, number> {
    const out = new Map<number, number>();
    const n = phrase.tokens.length;
    if (n === 0) return out;
    const sets = phrase.tokens.map((t, i) => this.termIds(t, phrase.prefix && i === n - 1));
    if (sets.some((s) => s.length === 0)) return out;
    const counts = new Map<number, [number, number]>();
    if (n === 1) {
      for (const id of sets[0]!) {
        const p = this.postings[id]!;
        p.docs.forEach((doc, k) => {
          const c = counts.get(doc) ?? [0, 0];
          c[0] += p.tfText[k]!;
          c[1] += p.tfHeading[k]!;
          counts.set(doc, c);
        });
      }
    } else {
      // Candidates: documents holding the rarest position's terms; then the positions are checked.
      const rarest = sets.reduce((a, b) => (docCount(this.postings, a) <= docCount(this.postings, b) ? a : b));
      const candidates = new Set<number>();
      for (const id of rarest) for (const doc of this.postings[id]!.docs) candidates.add(doc);
      const allowed = sets.map((s) => new Set(s));
      for (const doc of candidates) {
        const c: [number, number] = [phraseCount(this.columns[0][doc]!, allowed), phraseCount(this.columns[1][doc]!, allowed)];
        if (c[0] + c[1] > 0) counts.set(doc, c);
      }
    }
    for (const [doc, [text, heading]] of counts) {
      let f = text;
      for (let i = 0; i < heading; i++) f += HEADING_WEIGHT;
      out.set(doc, f);
    }
    return out;
  }
}

const docCount = (postings: Posting[], ids: number[]) => ids.reduce((s, id) => s + postings[id]!.docs.length, 0);

function phraseCount(tokens: Int32Array, allowed: Set<number>[]): number {
  let count = 0;
  outer: for (let i = 0; i + allowed.length <= tokens.length; i++) {
    for (let k = 0; k < allowed.length; k++) if (!allowed[k]!.has(tokens[i + k]!)) continue outer;
    count++;
  }
  return count;
}

/**
 * The phrases of SqliteKnowledgeBase's MATCH expression for a question: every content term quoted,
 * and with `prefix` a single word of four letters or more made a prefix query.
 */
export function queryPhrases(text: string, prefix = false): Phrase[] {
  return queryTerms(text).map((t) => ({
    tokens: tokenize(t.words.join(' ')),
    prefix: prefix && t.words.length === 1 && /^\p{L}{4,}$/u.test(t.words[0]!),
  }));
}

/** A phrase of documentFrequencies: the term's words, matched exactly. */
export function termPhrase(term: string): Phrase {
  const words = term.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? [];
  return { tokens: tokenize(words.join(' ')), prefix: false };
}

/** FTS5's IDF: ln((N - n + 0.5) / (n + 0.5)), floored at 1e-6 for a phrase in most documents. */
function idfOf(rows: number, documents: number): number {
  const idf = Math.log((rows - documents + 0.5) / (documents + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

/** The term-frequency part of BM25: weighted instances `f` in a document of `length` tokens. */
const saturated = (f: number, length: number, avgdl: number) => (f * (K1 + 1)) / (f + K1 * (1 - B + (B * length) / avgdl));

export interface Scored {
  shard: number;
  doc: number;
  score: number;
}

/**
 * BM25 of every document of `indexes` matching at least one phrase, best first (ties in index, then
 * document order, like FTS5's rowid order), keeping only those `accept`ed (statistics still count all).
 */
export function bm25(indexes: readonly TextIndex[], phrases: Phrase[], accept: (shard: number, doc: number) => boolean, limit: number): Scored[] {
  const rows = indexes.reduce((s, x) => s + x.size, 0);
  if (rows === 0 || phrases.length === 0 || limit <= 0) return [];
  const avgdl = indexes.reduce((s, x) => s + x.totalTokens, 0) / rows;
  const scores = indexes.map(() => new Map<number, number>());
  for (const phrase of phrases) {
    const matches = indexes.map((x) => x.match(phrase));
    const hits = matches.reduce((s, m) => s + m.size, 0);
    if (hits === 0) continue;
    const idf = idfOf(rows, hits);
    matches.forEach((m, shard) => {
      const index = indexes[shard]!;
      for (const [doc, f] of m) {
        if (!accept(shard, doc)) continue;
        const add = idf * saturated(f, index.lengths[doc]!, avgdl);
        scores[shard]!.set(doc, (scores[shard]!.get(doc) ?? 0) + add);
      }
    });
  }
  const out: Scored[] = [];
  scores.forEach((m, shard) => {
    for (const [doc, score] of m) out.push({ shard, doc, score });
  });
  out.sort((a, b) => b.score - a.score || a.shard - b.shard || a.doc - b.doc);
  return out.slice(0, limit);
}

/** A document's index tokens per column, for scoring it outside a TextIndex, and how often each occurs. */
export interface DocumentTokens {
  text: readonly string[];
  heading: readonly string[];
  counts: readonly [ReadonlyMap<string, number>, ReadonlyMap<string, number>];
}

function countsOf(tokens: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

export function documentTokens(chunk: Pick<Chunk, 'text' | 'heading'>): DocumentTokens {
  const text = tokenize(chunk.text);
  const heading = tokenize(chunk.heading ?? '');
  return { text, heading, counts: [countsOf(text), countsOf(heading)] };
}

/** Instances of the phrase in a token sequence (the last token as a prefix when the phrase is one). */
function instances(tokens: readonly string[], counts: ReadonlyMap<string, number>, phrase: Phrase): number {
  const n = phrase.tokens.length;
  if (n === 1 && !phrase.prefix) return counts.get(phrase.tokens[0]!) ?? 0;
  // A phrase whose first token is absent (and not the prefix) has no instance: no scan.
  if (n > 1 && !counts.has(phrase.tokens[0]!)) return 0;
  let count = 0;
  outer: for (let i = 0; i + n <= tokens.length; i++) {
    for (let k = 0; k < n; k++) {
      const t = tokens[i + k]!;
      const want = phrase.tokens[k]!;
      if (t !== want && !(phrase.prefix && k === n - 1 && t.startsWith(want))) continue outer;
    }
    count++;
  }
  return count;
}

/**
 * BM25 of documents scored one by one against statistics given from outside (`rows`, `avgdl`, and
 * each phrase's document count): the same formula, weights and IDF floor as bm25() above and FTS5's
 * bm25(t, 1.0, 0.6), where those take the statistics from the documents they hold.
 */
export function bm25WithStatistics(docs: readonly DocumentTokens[], phrases: { phrase: Phrase; documents: number }[], stats: { rows: number; avgdl: number }): number[] {
  const scores = docs.map(() => 0);
  if (stats.rows === 0 || stats.avgdl <= 0) return scores;
  for (const { phrase, documents } of phrases) {
    if (phrase.tokens.length === 0 || documents === 0) continue;
    const idf = idfOf(stats.rows, documents);
    docs.forEach((d, i) => {
      const text = instances(d.text, d.counts[0], phrase);
      const heading = instances(d.heading, d.counts[1], phrase);
      if (text + heading === 0) return;
      let f = text;
      for (let h = 0; h < heading; h++) f += HEADING_WEIGHT;
      const length = d.text.length + d.heading.length;
      scores[i]! += idf * saturated(f, length, stats.avgdl);
    });
  }
  return scores;
}

/** How many documents of the indexes contain the phrase. */
export function documentCount(indexes: readonly TextIndex[], phrase: Phrase): number {
  return phrase.tokens.length === 0 ? 0 : indexes.reduce((s, x) => s + x.match(phrase).size, 0);
}
