import type { SearchHit } from '../model/types.js';

export interface WrittenAnswer {
  answer: string;
  /** Indexes into the passages the answer relies on (ones that point at nothing are dropped). */
  cited: number[];
  /** Token counts when a model was called (for cost_info). */
  usage?: { inputTokens: number; outputTokens: number; model: string };
}

export interface AnswerWriter {
  readonly id: string; // e.g. 'extractive', 'openai:llama3'
  write(question: string, passages: SearchHit[]): Promise<WrittenAnswer>;
}
