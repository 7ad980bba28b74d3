import { createHash } from 'node:crypto';
import type { Source } from '../../core/model/types.js';
import type { Manual } from '../../core/model/types.js';

export interface CachedAnswer {
  answer: string;
  sources: Source[];
  contextFound: boolean;
}

/**
 * The cache key of an answer. It starts with the user id, so two users never share an entry, and it
 * folds in the state of every manual the question could search (id, status, chunk and vector counts):
 * an upload, a deletion, an ingestion step or a shared-library change gives new keys, so a stale
 * answer is never served and nothing has to be invalidated by hand.
 */
export function answerCacheKey(input: {
  userId: string;
  writerId: string;
  question: string;
  manuals: Pick<Manual, 'id' | 'status' | 'chunks' | 'embeddedChunks'>[];
  manualIds?: string[];
  limit: number;
}): string {
  const state = input.manuals
    .map((m) => `${m.id}:${m.status}:${m.chunks}:${m.embeddedChunks}`)
    .sort()
    .join(',');
  const scope = input.manualIds ? [...new Set(input.manualIds)].sort().join(',') : '*';
  const question = input.question.replace(/\s+/g, ' ').trim();
  const digest = createHash('sha256').update(JSON.stringify([input.writerId, input.limit, scope, state, question])).digest('hex');
  return `answer:${input.userId}:${digest}`;
}
