import type { Chunk } from '../model/types.js';
import { visibleOwners } from '../model/visibility.js';
import type { AnswerWriter } from '../ports/answer-writer.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import { askQuestion } from './ask-question.js';

/** A passage of the index to ask about, with its stored vector (null: keyword search only). */
export interface WarmUpSample {
  chunk: Chunk;
  vector: Float32Array | null;
}

export interface WarmUpDeps {
  kb: KnowledgeBase;
  /** The extractive writer: a warm-up never calls a model endpoint. */
  answerWriter: AnswerWriter;
}

export interface WarmUpOptions {
  /** Passages per question (what a request asks for). */
  limit: number;
  /** Stop once this much time has passed, whatever is left. */
  budgetMs: number;
  now?: () => number;
}

export interface WarmUpResult {
  questions: number;
  ms: number;
  /** The first failure, if one stopped it: a warm-up never fails a start. */
  error?: string;
}

/** Words of a passage asked as a question: enough to hit several chunks, few enough to be a question. */
const QUESTION_WORDS = 12;

/** A question made of a passage's own words (its first dozen), as a user's question reuses a manual's words. */
export function sampleQuestion(chunk: Chunk): string {
  return chunk.text.split(/\s+/).filter(Boolean).slice(0, QUESTION_WORDS).join(' ');
}

/** An embedder that answers with a vector already computed: the warm-up costs no embedding. */
function storedVector(vector: Float32Array): Embedder {
  return { dimensions: vector.length, modelId: 'stored', embed: async (texts) => texts.map(() => vector) };
}

/**
 * Runs the answer path (keyword and vector search, fusion, feedback, page ranking, the extractive
 * writer) on questions made of the index's own passages, in the scope its owner reads, and
 * throws the answers away. A new process otherwise pays for its JIT and its per-chunk caches (stems,
 * tokens, scope statistics, prepared statements) on its first real questions: under a burst of new
 * questions the first second answered a third of what later seconds did (docs/decisions/0040).
 * Nothing is written: no cache, usage, history or trace; only the caches of this process fill.
 */
export async function warmAnswerPath(deps: WarmUpDeps, samples: WarmUpSample[], opts: WarmUpOptions): Promise<WarmUpResult> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  let questions = 0;
  for (const s of samples) {
    if (now() - t0 >= opts.budgetMs) break;
    const question = sampleQuestion(s.chunk);
    if (!question) continue;
    try {
      await askQuestion(
        { kb: deps.kb, embedder: s.vector ? storedVector(s.vector) : null, answerWriter: deps.answerWriter },
        { question, owners: visibleOwners(s.chunk.ownerId), limit: opts.limit },
      );
    } catch (e) {
      return { questions, ms: Math.round(now() - t0), error: e instanceof Error ? e.message : String(e) };
    }
    questions++;
  }
  return { questions, ms: Math.round(now() - t0) };
}
