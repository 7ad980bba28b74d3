import type { SearchHit } from '../model/types.js';

/** Who wrote an answer: the extractive writer, the model, or the extractive writer standing in for a model that failed. */
export type AnswerSource = 'extractive' | 'model' | 'extractive-fallback';

export interface WrittenAnswer {
  answer: string;
  /** Indexes into the passages the answer relies on (ones that point at nothing are dropped). */
  cited: number[];
  /** Token counts when a model was called (for cost_info). */
  usage?: { inputTokens: number; outputTokens: number; model: string };
  /** Absent: 'extractive' for the writer with id 'extractive', else 'model'. */
  source?: AnswerSource;
}

export interface WriteOptions {
  /** Aborts the call (a resilience deadline); the writer stops waiting and releases its connection. */
  signal?: AbortSignal;
}

export interface AnswerWriter {
  readonly id: string; // e.g. 'extractive', 'openai:llama3'
  write(question: string, passages: SearchHit[], options?: WriteOptions): Promise<WrittenAnswer>;
}
