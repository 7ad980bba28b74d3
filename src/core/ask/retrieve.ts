import type { SearchHit } from '../model/types.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import { widen } from './passage-window.js';
import { termCoverage } from './term-match.js';

export interface RetrieveDeps {
  kb: KnowledgeBase;
  embedder: Embedder | null;
}

export interface RetrieveInput {
  question: string;
  owners: readonly string[];
  manualIds?: readonly string[];
  limit: number;
}

/** How many candidates each leg contributes before fusion. */
const CANDIDATES = 50;
/** Reciprocal-rank constant and leg weights: keyword evidence leads, vectors rescue paraphrases. */
const RRF_K = 10;
const KEYWORD_WEIGHT = 1;
const VECTOR_WEIGHT = 0.6;

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
export async function retrieve(deps: RetrieveDeps, input: RetrieveInput): Promise<SearchHit[]> {
  const scope = { owners: input.owners, ...(input.manualIds ? { manualIds: input.manualIds } : {}) };
  const vector = deps.embedder ? await embedQuestion(deps.embedder, input.question) : null;
  const [keyword, dense] = await Promise.all([
    deps.kb.search({ ...scope, text: input.question, vector: null, limit: CANDIDATES }),
    vector ? deps.kb.search({ ...scope, text: '', vector, limit: CANDIDATES }) : Promise.resolve([]),
  ]);

  const byId = new Map<string, Candidate>();
  const take = (hit: SearchHit): Candidate => {
    let c = byId.get(hit.chunk.id);
    if (!c) {
      c = { hit, keywordRank: null, vectorRank: null, cosine: 0, coverage: termCoverage(input.question, hit.chunk), fused: 0 };
      byId.set(hit.chunk.id, c);
    }
    return c;
  };
  keyword.forEach((h, rank) => {
    const c = take(h);
    c.keywordRank = rank;
    c.fused += KEYWORD_WEIGHT / (RRF_K + rank);
  });
  dense.forEach((h, rank) => {
    const c = take(h);
    c.vectorRank = rank;
    c.cosine = h.score;
    c.fused += VECTOR_WEIGHT / (RRF_K + rank);
  });

  const bestPerPage = new Map<string, Candidate>();
  for (const c of byId.values()) {
    const key = `${c.hit.chunk.manualId}#${c.hit.chunk.pageNumber}`;
    const prev = bestPerPage.get(key);
    if (!prev || c.fused > prev.fused) bestPerPage.set(key, c);
  }
  const top = [...bestPerPage.values()].sort((a, b) => b.fused - a.fused).slice(0, input.limit);
  const pageChunks = deps.kb.pageChunks
    ? await deps.kb.pageChunks(
        input.owners,
        top.flatMap((c) => [0, 1].map((d) => ({ manualId: c.hit.chunk.manualId, pageNumber: c.hit.chunk.pageNumber + d }))),
      )
    : [];
  return top.map((c) => {
    const relevant = (id: string) => (byId.get(id)?.fused ?? 0) >= c.fused * 0.5;
    return { ...c.hit, chunk: widen(c.hit.chunk, pageChunks, relevant), score: evidence(c) };
  });
}

/** Absolute relevance: share of the question's terms the passage contains, or semantic closeness. */
function evidence(c: Candidate): number {
  const semantic = Math.max(0, (c.cosine - 0.2) / 0.6);
  return Math.round(Math.min(1, Math.max(c.coverage, semantic * 0.9)) * 1000) / 1000;
}

async function embedQuestion(embedder: Embedder, question: string): Promise<Float32Array | null> {
  try {
    const [v] = await embedder.embed([question]);
    return v ?? null;
  } catch {
    return null; // keyword search still answers
  }
}
