import type { Chunk, SearchHit } from '../model/types.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import { noTracer, type Tracer } from '../ports/tracer.js';
import { widen } from './passage-window.js';
import { STOPWORDS, queryTerms, type QueryTerm } from './query-terms.js';
import { bigramShare, chunkStems, idfWeights, questionBigrams, stem, termKey, weightedCoverage, weightedCoverageOfStems, type TermWeights } from './term-match.js';

export interface RetrieveDeps {
  kb: KnowledgeBase;
  embedder: Embedder | null;
  tracer?: Tracer;
}

export interface RetrieveInput {
  question: string;
  owners: readonly string[];
  manualIds?: readonly string[];
  limit: number;
}

/**
 * Fusion knobs. Keyword evidence leads (BM25 is precise on manuals full of names, commands and
 * values); vectors rescue paraphrases; the share of question terms a chunk contains lifts chunks that
 * match the whole question over ones that match one rare word; a page with several matching chunks
 * is more likely the topic's home than a page with one. Each knob's value is justified with
 * cross-validated and held-out figures in docs/decisions/0003 and 0017.
 */
export interface RetrieveTuning {
  candidates: number;
  rrfK: number;
  keywordWeight: number;
  vectorWeight: number;
  coverageWeight: number;
  /** Weight of the share of the question's word pairs found verbatim (phrase match). */
  phraseWeight: number;
  secondChunkWeight: number;
  /** Multiplier for chunks of contents, figure lists and indexes: they name every topic, answer none. */
  contentsFactor: number;
  /**
   * Weight of the feedback query's ranks (0 = off): the question plus the manual's own terms that
   * the best first-round passages share (pseudo-relevance feedback), so a question in plain words
   * also finds passages that use the manual's name for the thing (an option, a directive, a command).
   */
  feedbackWeight: number;
  /**
   * Weight of the ranks of the keyword query whose words also match the longer words they begin
   * (0 = off): the manual's "administrator" for the user's "admin", "configuration" for "config".
   */
  prefixWeight: number;
  /**
   * Weight of the passage's coverage of the question (the best chunk with its neighbours on the page
   * and its section path), 0 = off: a config line or command whose explanation sits in the chunk
   * before it is found through that explanation.
   */
  contextWeight: number;
}

/** Chosen by cross-validation by manual on the dev questions (docs/decisions/0017). */
export const DEFAULT_TUNING: RetrieveTuning = {
  candidates: 50,
  rrfK: 10,
  keywordWeight: 1,
  vectorWeight: 0.6,
  coverageWeight: 0.15,
  phraseWeight: 0.5,
  secondChunkWeight: 0,
  contentsFactor: 0.3,
  feedbackWeight: 0.3,
  prefixWeight: 0,
  contextWeight: 1,
};

/** Feedback: the first-round chunks read, and how many of their terms are added to the question. */
const FEEDBACK_DOCS = 5;
const FEEDBACK_TERMS = 6;
/** Pages whose passage context is read (the rest cannot climb into the answer's top pages anyway). */
const CONTEXT_PAGES = 20;

/** Dot leaders survive extraction as "…": three of them mark a contents or index listing. */
const isContentsListing = (text: string) => (text.match(/…/g) ?? []).length >= 3;

export interface Candidate {
  hit: SearchHit;
  keywordRank: number | null;
  vectorRank: number | null;
  cosine: number;
  coverage: number;
  fused: number;
}

interface Scope {
  owners: readonly string[];
  manualIds?: readonly string[];
}

/** What the question is matched on: its content terms, their rarity in the manuals, its word pairs. */
interface QuestionTerms {
  terms: QueryTerm[];
  weights: TermWeights;
  bigrams: string[];
}

/**
 * Hybrid retrieval: BM25 and dense candidates fused by weighted reciprocal rank, so a chunk found by
 * both legs rises and a middling vector hit cannot bury a strong keyword hit; a feedback query in the
 * manual's own terms adds its ranks; pages are scored by their best chunk and its passage context.
 * Then one passage per page, pages ordered by score. Works keyword-only when there is no embedder or
 * it fails (e.g. embeddings still pending). Scores are absolute evidence in 0..1, comparable across
 * questions, so callers can decide whether anything relevant was found.
 */
export async function retrieve(deps: RetrieveDeps, input: RetrieveInput, tuning: RetrieveTuning = DEFAULT_TUNING): Promise<SearchHit[]> {
  const t = tuning;
  const tracer = deps.tracer ?? noTracer;
  const scope: Scope = { owners: input.owners, ...(input.manualIds ? { manualIds: input.manualIds } : {}) };
  const terms = queryTerms(input.question);
  // Two words of the question the manuals write as one ("log in" / "login", "set up" / "setup",
  // "head phone" / "headphone") are searched as the manuals write them.
  const { weights, joined } = await termWeights(deps.kb, input.owners, terms, joinedPairs(input.question));
  const text = joined.length > 0 ? `${input.question} ${joined.join(' ')}` : input.question;
  const [keyword, dense, prefixed] = await Promise.all([
    tracer.span('retrieve.keyword', undefined, () => keywordLeg(deps.kb, scope, text, t.candidates)),
    tracer.span('retrieve.vector', undefined, () => vectorLeg(deps, scope, input.question, t.candidates)),
    t.prefixWeight > 0 ? keywordLeg(deps.kb, scope, text, t.candidates, true) : Promise.resolve([]),
  ]);
  const q: QuestionTerms = { terms, weights, bigrams: t.phraseWeight > 0 ? questionBigrams(input.question) : [] };
  const fusion = tracer.step('retrieve.fusion', { 'retrieve.keyword_hits': keyword.length, 'retrieve.vector_hits': dense.length });
  const candidates = fuse(keyword, dense, q, t);
  if (prefixed.length > 0) addRanks(candidates, prefixed, t.prefixWeight, q, t);
  if (t.feedbackWeight > 0) {
    const feedback = await feedbackLeg(deps.kb, scope, input.question, q, candidates, t.candidates);
    addRanks(candidates, feedback, t.feedbackWeight, q, t);
  }
  const top = await rankPages(deps.kb, input.owners, candidates, q, t, input.limit);
  fusion.end({ 'retrieve.candidates': candidates.size, 'retrieve.pages': top.passages.length });
  return top.passages.map(({ best, passage }) => ({ ...best.hit, chunk: passage, score: evidence(best, dense) }));
}

/** Keyword leg: BM25 over an OR query of the question's content terms (optionally as word prefixes). */
export function keywordLeg(kb: KnowledgeBase, scope: Scope, text: string, limit: number, prefix = false): Promise<SearchHit[]> {
  return kb.search({ ...scope, text, vector: null, limit, ...(prefix ? { prefix } : {}) });
}

/** Vector leg: the question's embedding against the chunks' (empty without an embedder or vectors). */
export async function vectorLeg(deps: RetrieveDeps, scope: Scope, question: string, limit: number): Promise<SearchHit[]> {
  const vector = deps.embedder ? await embedQuestion(deps.embedder, question) : null;
  return vector ? deps.kb.search({ ...scope, text: '', vector, limit }) : [];
}

/**
 * IDF of each question term over the visible manuals (1 each when the index cannot count), and which
 * of the joined word pairs the manuals use, counted in the same lookup.
 */
async function termWeights(kb: KnowledgeBase, owners: readonly string[], terms: QueryTerm[], pairs: string[]): Promise<{ weights: TermWeights; joined: string[] }> {
  if (!kb.documentFrequencies) return { weights: idfWeights(terms, null), joined: [] };
  // One count per term: a long pasted question is capped so it cannot cost hundreds of lookups.
  const keys = terms.slice(0, 40).map(termKey);
  const stats = await kb.documentFrequencies(owners, [...keys, ...pairs.filter((p) => !keys.includes(p))]);
  return { weights: idfWeights(terms, stats), joined: pairs.filter((p) => (stats.df[p] ?? 0) > 0) };
}

/** Adjacent words of the question written together ("log in" -> "login"), at most 10 per question. */
export function joinedPairs(question: string): string[] {
  const ws = question.normalize('NFKC').toLowerCase().match(/\p{L}+/gu) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + 1 < ws.length && out.size < 10; i++) {
    const [a, b] = [ws[i]!, ws[i + 1]!];
    // Two function words never make a product word ("in to" -> "into" says nothing).
    if (STOPWORDS.has(a) && STOPWORDS.has(b)) continue;
    if (a.length >= 2 && b.length >= 2 && a.length + b.length >= 5) out.add(a + b);
  }
  return [...out];
}

/**
 * Fusion: weighted reciprocal-rank fusion of the two legs, plus the IDF-weighted share of question
 * terms a chunk contains and the share of its word pairs; contents listings are damped.
 */
export function fuse(keyword: SearchHit[], dense: SearchHit[], q: QuestionTerms, t: RetrieveTuning): Map<string, Candidate> {
  const byId = new Map<string, Candidate>();
  keyword.forEach((h, rank) => {
    const c = candidate(byId, h, q);
    c.keywordRank = rank;
    c.fused += t.keywordWeight / (t.rrfK + rank);
  });
  dense.forEach((h, rank) => {
    const c = candidate(byId, h, q);
    c.vectorRank = rank;
    c.cosine = h.score;
    c.fused += t.vectorWeight / (t.rrfK + rank);
  });
  for (const c of byId.values()) c.fused = (c.fused + matchBonus(c, q, t)) * (isContentsListing(c.hit.chunk.text) ? t.contentsFactor : 1);
  return byId;
}

function candidate(byId: Map<string, Candidate>, hit: SearchHit, q: QuestionTerms): Candidate {
  let c = byId.get(hit.chunk.id);
  if (!c) {
    c = { hit, keywordRank: null, vectorRank: null, cosine: 0, coverage: weightedCoverage(q.terms, q.weights, hit.chunk), fused: 0 };
    byId.set(hit.chunk.id, c);
  }
  return c;
}

const matchBonus = (c: Candidate, q: QuestionTerms, t: RetrieveTuning) =>
  (t.coverageWeight * c.coverage + (q.bigrams.length > 0 ? t.phraseWeight * bigramShare(q.bigrams, c.hit.chunk) : 0)) / t.rrfK;

/** Ranks of a further list added to the fused candidates (new chunks get the same match bonus). */
function addRanks(byId: Map<string, Candidate>, hits: SearchHit[], weight: number, q: QuestionTerms, t: RetrieveTuning): void {
  hits.forEach((h, rank) => {
    const known = byId.has(h.chunk.id);
    const c = candidate(byId, h, q);
    const damp = isContentsListing(c.hit.chunk.text) ? t.contentsFactor : 1;
    if (!known) c.fused += matchBonus(c, q, t) * damp;
    c.fused += (weight / (t.rrfK + rank)) * damp;
  });
}

/**
 * Pseudo-relevance feedback: the terms the best first-round chunks share, weighted by how good each
 * chunk is and how rare the term is in the manuals, are the manual's own words for what the question
 * describes. The question plus the best few is searched again.
 */
export async function feedbackLeg(kb: KnowledgeBase, scope: Scope, question: string, q: QuestionTerms, candidates: Map<string, Candidate>, limit: number): Promise<SearchHit[]> {
  const ranked = [...candidates.values()].sort((a, b) => b.fused - a.fused).slice(0, FEEDBACK_DOCS);
  if (ranked.length === 0) return [];
  const top = ranked[0]!.fused;
  const asked = new Set(q.terms.map((t) => t.words.map(stem).join(' ')));
  const mass = new Map<string, { term: QueryTerm; mass: number }>();
  for (const c of ranked) {
    const seen = new Set<string>();
    for (const term of queryTerms(`${c.hit.chunk.heading ?? ''}\n${c.hit.chunk.text}`)) {
      const key = termKey(term);
      const stemmed = term.words.map(stem).join(' ');
      if (seen.has(key) || asked.has(stemmed) || !usefulFeedbackTerm(term)) continue;
      seen.add(key);
      const m = mass.get(key) ?? { term, mass: 0 };
      m.mass += c.fused / top;
      mass.set(key, m);
    }
  }
  // Rarity is counted only for the likeliest few: one index lookup per term.
  const pool = [...mass.values()].sort((a, b) => b.mass - a.mass).slice(0, FEEDBACK_TERMS * 3);
  const stats = kb.documentFrequencies ? await kb.documentFrequencies(scope.owners, pool.map((p) => termKey(p.term))) : null;
  const idf = idfWeights(
    pool.map((p) => p.term),
    stats,
  );
  const scored = pool
    .map((p) => ({ ...p, score: p.mass * (idf.get(termKey(p.term)) ?? 1) }))
    // A term in one chunk only says nothing a first-round chunk did not already say.
    .filter((p) => !stats || (stats.df[termKey(p.term)] ?? 0) >= 2)
    .sort((a, b) => b.score - a.score);
  // Only terms nearly as telling as the best one: a weak first round must not add its noise.
  const chosen = scored.filter((p) => p.score >= scored[0]!.score / 4).slice(0, FEEDBACK_TERMS);
  if (chosen.length === 0) return [];
  return keywordLeg(kb, scope, `${question} ${chosen.map((p) => p.term.raw).join(' ')}`, limit);
}

/** Letters or identifiers worth searching: not a bare number, not a one- or two-letter fragment. */
const usefulFeedbackTerm = (t: QueryTerm) => t.words.join('').length >= 3 && !/^\d+$/.test(t.words.join(''));

/**
 * Pages ranked by their best chunk, plus the passage context of the best few: the share of the
 * question the chunk covers together with its neighbours on the page. Returns the passage of each
 * top page (widened as the answer will read it).
 */
export async function rankPages(
  kb: KnowledgeBase,
  owners: readonly string[],
  candidates: Map<string, Candidate>,
  q: QuestionTerms,
  t: RetrieveTuning,
  limit: number,
): Promise<{ passages: { best: Candidate; passage: Chunk }[] }> {
  const pages = new Map<string, { best: Candidate; score: number; second: number }>();
  for (const c of candidates.values()) {
    const key = `${c.hit.chunk.manualId}#${c.hit.chunk.pageNumber}`;
    const p = pages.get(key);
    if (!p) pages.set(key, { best: c, score: c.fused, second: 0 });
    else if (c.fused > p.best.fused) pages.set(key, { best: c, score: c.fused, second: p.best.fused });
    else p.second = Math.max(p.second, c.fused);
  }
  let ranked = [...pages.values()].map((p) => ({ ...p, score: p.best.fused + t.secondChunkWeight * p.second })).sort((a, b) => b.score - a.score);
  const pool = t.contextWeight > 0 ? ranked.slice(0, Math.max(CONTEXT_PAGES, limit)) : ranked.slice(0, limit);
  const pageChunks = kb.pageChunks
    ? await kb.pageChunks(
        owners,
        pool.flatMap((p) => [0, 1].map((d) => ({ manualId: p.best.hit.chunk.manualId, pageNumber: p.best.hit.chunk.pageNumber + d }))),
      )
    : [];
  if (t.contextWeight > 0 && pageChunks.length > 0) {
    for (const p of pool) p.score += (t.contextWeight * contextCoverage(p.best.hit.chunk, pageChunks, q)) / t.rrfK;
    ranked = pool.sort((a, b) => b.score - a.score);
  }
  const top = ranked.slice(0, limit);
  return {
    passages: top.map((p) => {
      const relevant = (id: string) => (candidates.get(id)?.fused ?? 0) >= p.best.fused * 0.5;
      return { best: p.best, passage: widen(p.best.hit.chunk, pageChunks, relevant) };
    }),
  };
}

/**
 * Coverage of the question by a chunk together with the chunks before and after it on its page: their
 * text only. Counting the best chunk's section heading too raised the dev set and lowered both held-out
 * sets (ADR 0017, "Passage context"), so it is left out.
 */
export function contextCoverage(chunk: Chunk, pageChunks: Chunk[], q: QuestionTerms): number {
  const page = pageChunks.filter((c) => c.manualId === chunk.manualId && c.pageNumber === chunk.pageNumber).sort((a, b) => a.ordinal - b.ordinal);
  const i = page.findIndex((c) => c.id === chunk.id);
  if (i < 0) return 0;
  const window = page.slice(Math.max(0, i - 1), i + 2);
  return weightedCoverageOfStems(
    q.terms,
    q.weights,
    window.flatMap((c) => chunkStems({ heading: null, text: c.text })),
  );
}

/**
 * Absolute relevance in 0..1, comparable across questions: the IDF-weighted share of the question's
 * terms the passage contains (a question whose telling words appear nowhere in the manuals scores
 * low however many common words match), blended with semantic closeness when vectors are available.
 * A chunk outside the dense top list is given the list's lowest similarity (an upper bound).
 */
function evidence(c: Candidate, dense: SearchHit[]): number {
  if (dense.length === 0) return round(c.coverage);
  const cosine = c.vectorRank !== null ? c.cosine : dense[dense.length - 1]!.score;
  const semantic = Math.min(1, Math.max(0, (cosine - 0.3) / 0.4));
  return round(0.6 * c.coverage + 0.4 * semantic);
}

const round = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;

async function embedQuestion(embedder: Embedder, question: string): Promise<Float32Array | null> {
  try {
    const [v] = await embedder.embed([question]);
    return v ?? null;
  } catch {
    return null; // keyword search still answers
  }
}

