import type { SearchHit } from '../model/types.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import { noTracer, type Tracer } from '../ports/tracer.js';
import { widen } from './passage-window.js';
import { queryTerms } from './query-terms.js';
import { bigramShare, idfWeights, questionBigrams, termKey, weightedCoverage } from './term-match.js';

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
 * is more likely the topic's home than a page with one.
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
}

export const DEFAULT_TUNING: RetrieveTuning = {
  candidates: 50,
  rrfK: 10,
  keywordWeight: 1,
  vectorWeight: 0.35,
  coverageWeight: 0.3,
  phraseWeight: 0.5,
  secondChunkWeight: 0,
  contentsFactor: 0.3,
};

/** Dot leaders survive extraction as "…": three of them mark a contents or index listing. */
const isContentsListing = (text: string) => (text.match(/…/g) ?? []).length >= 3;

interface Candidate {
  hit: SearchHit;
  keywordRank: number | null;
  vectorRank: number | null;
  cosine: number;
  coverage: number;
  fused: number;
}

/**
 * Hybrid retrieval: BM25 and dense candidates fused by weighted reciprocal rank, so a chunk found by
 * both legs rises and a middling vector hit cannot bury a strong keyword hit. Then one passage per
 * page (the best chunk), pages ordered by fused score. Works keyword-only when there is no embedder
 * or it fails (e.g. embeddings still pending). Scores are absolute evidence in 0..1, comparable across
 * questions, so callers can decide whether anything relevant was found.
 */
export async function retrieve(deps: RetrieveDeps, input: RetrieveInput, tuning: RetrieveTuning = DEFAULT_TUNING): Promise<SearchHit[]> {
  const t = tuning;
  const tracer = deps.tracer ?? noTracer;
  const scope = { owners: input.owners, ...(input.manualIds ? { manualIds: input.manualIds } : {}) };
  const vector = deps.embedder ? await embedQuestion(deps.embedder, input.question) : null;
  const terms = queryTerms(input.question);
  const [keyword, dense, stats] = await Promise.all([
    tracer.span('retrieve.keyword', undefined, () => deps.kb.search({ ...scope, text: input.question, vector: null, limit: t.candidates })),
    vector ? tracer.span('retrieve.vector', undefined, () => deps.kb.search({ ...scope, text: '', vector, limit: t.candidates })) : Promise.resolve([]),
    // One count per term: a long pasted question is capped so it cannot cost hundreds of lookups.
    deps.kb.documentFrequencies ? deps.kb.documentFrequencies(input.owners, terms.slice(0, 40).map(termKey)) : Promise.resolve(null),
  ]);
  const weights = idfWeights(terms, stats);
  const fusion = tracer.step('retrieve.fusion', { 'retrieve.keyword_hits': keyword.length, 'retrieve.vector_hits': dense.length });

  const byId = new Map<string, Candidate>();
  const take = (hit: SearchHit): Candidate => {
    let c = byId.get(hit.chunk.id);
    if (!c) {
      c = { hit, keywordRank: null, vectorRank: null, cosine: 0, coverage: weightedCoverage(terms, weights, hit.chunk), fused: 0 };
      byId.set(hit.chunk.id, c);
    }
    return c;
  };
  keyword.forEach((h, rank) => {
    const c = take(h);
    c.keywordRank = rank;
    c.fused += t.keywordWeight / (t.rrfK + rank);
  });
  dense.forEach((h, rank) => {
    const c = take(h);
    c.vectorRank = rank;
    c.cosine = h.score;
    c.fused += t.vectorWeight / (t.rrfK + rank);
  });

  const bigrams = t.phraseWeight > 0 ? questionBigrams(input.question) : [];
  for (const c of byId.values()) {
    c.fused += (t.coverageWeight * c.coverage) / t.rrfK;
    if (bigrams.length > 0) c.fused += (t.phraseWeight * bigramShare(bigrams, c.hit.chunk)) / t.rrfK;
    if (isContentsListing(c.hit.chunk.text)) c.fused *= t.contentsFactor;
  }

  const pages = new Map<string, { best: Candidate; score: number; second: number }>();
  for (const c of byId.values()) {
    const key = `${c.hit.chunk.manualId}#${c.hit.chunk.pageNumber}`;
    const p = pages.get(key);
    if (!p) pages.set(key, { best: c, score: c.fused, second: 0 });
    else if (c.fused > p.best.fused) pages.set(key, { best: c, score: c.fused, second: p.best.fused });
    else p.second = Math.max(p.second, c.fused);
  }
  const top = [...pages.values()]
    .map((p) => ({ ...p, score: p.best.fused + t.secondChunkWeight * p.second }))
    .sort((a, b) => b.score - a.score)
    .slice(0, input.limit)
    .map((p) => p.best);
  fusion.end({ 'retrieve.candidates': byId.size, 'retrieve.pages': top.length });
  const pageChunks = deps.kb.pageChunks
    ? await deps.kb.pageChunks(
        input.owners,
        top.flatMap((c) => [0, 1].map((d) => ({ manualId: c.hit.chunk.manualId, pageNumber: c.hit.chunk.pageNumber + d }))),
      )
    : [];
  return top.map((c) => {
    const relevant = (id: string) => (byId.get(id)?.fused ?? 0) >= c.fused * 0.5;
    return { ...c.hit, chunk: widen(c.hit.chunk, pageChunks, relevant), score: evidence(c, dense) };
  });
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
