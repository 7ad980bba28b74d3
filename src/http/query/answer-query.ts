import { askQuestion } from '../../core/ask/ask-question.js';
import { errors } from '../../core/errors.js';
import { visibleOwners } from '../../core/model/visibility.js';
import { checkQuota, costOf, recordUsage, usageInfo, type CostInfo, type UsageInfo } from '../../core/usage/quota.js';
import type { Source } from '../../core/model/types.js';
import type { AppServices, TranscribeAudioResult } from '../services.js';
import { answerCacheKey, type CachedAnswer } from './answer-cache.js';

export interface QueryInput {
  userId: string;
  question: string;
  manualIds?: string[];
  includeSources: boolean;
  /** Set for a spoken question (its transcribe usage is recorded by the caller). */
  transcription?: TranscribeAudioResult;
  startedAt: number; // performance.now() when the request arrived
}

export interface QueryAnswer {
  answer: string;
  question: string;
  sources: Source[];
  context_found: boolean;
  cache_status: 'hit' | 'miss';
  response_time_ms: number;
  cost_info: CostInfo;
  usage_info: UsageInfo;
  transcription?: { text: string; confidence: number; duration_s: number; engine: string };
}

type Deps = Pick<AppServices, 'manuals' | 'kb' | 'embedder' | 'answerWriter' | 'cache' | 'usage' | 'clock' | 'parameters'>;

export function validateQuestion(raw: string, maxLength: number): string {
  const question = raw.trim();
  if (!question) throw errors.validation('question: must not be empty', { field: 'question' });
  if (question.length > maxLength) throw errors.validation(`question: must be at most ${maxLength} characters`, { field: 'question', max_length: maxLength });
  return question;
}

export const quotaOf = (deps: Pick<AppServices, 'usage' | 'clock' | 'parameters'>, userId: string) =>
  checkQuota(deps, { userId, parameters: deps.parameters });

/** Question -> cited answer, through the per-user answer cache; quota checked first, usage recorded. */
export async function answerQuery(deps: Deps, input: QueryInput): Promise<QueryAnswer> {
  const question = validateQuestion(input.question, deps.parameters.MaxQuestionLength);
  if (!input.transcription) await quotaOf(deps, input.userId); // a spoken question was checked before transcribing

  const owners = [...visibleOwners(input.userId)];
  const visible = await deps.manuals.list(owners);
  let scope = visible;
  if (input.manualIds) {
    const byId = new Map(visible.map((m) => [m.id, m]));
    // Someone else's id looks exactly like an id that doesn't exist.
    const missing = input.manualIds.find((id) => !byId.has(id));
    if (missing) throw errors.notFound('Manual');
    scope = input.manualIds.map((id) => byId.get(id)!);
  }
  const limit = deps.parameters.KnowledgeBaseRetrievalResults;
  const key = answerCacheKey({ userId: input.userId, writerId: deps.answerWriter.id, question, manuals: scope, manualIds: input.manualIds, limit });

  let result: CachedAnswer | null = parseCached(await deps.cache.get(key));
  const cacheStatus = result ? 'hit' : 'miss';
  let tokens: { input: number; output: number; model?: string } | undefined;
  if (!result) {
    const asked = await askQuestion(deps, { question, owners, manualIds: input.manualIds, limit });
    result = { answer: asked.answer, sources: asked.sources, contextFound: asked.contextFound };
    if (asked.usage) tokens = { input: asked.usage.inputTokens, output: asked.usage.outputTokens, model: asked.usage.model };
    await deps.cache.set(key, JSON.stringify(result), deps.parameters.CacheTtlSeconds);
  }

  const responseTimeMs = Math.round(performance.now() - input.startedAt);
  const queryCost = costOf({ operation: 'query', tokens }, deps.parameters);
  await recordUsage(deps, {
    userId: input.userId,
    operation: 'query',
    costEur: queryCost.total_cost,
    detail: {
      question: question.slice(0, 300),
      context_found: result.contextFound,
      cache_status: cacheStatus,
      response_time_ms: responseTimeMs,
      sources: result.sources.length,
      voice: Boolean(input.transcription),
    },
  });
  const t = input.transcription;
  return {
    answer: result.answer,
    question,
    sources: input.includeSources ? result.sources : [],
    context_found: result.contextFound,
    cache_status: cacheStatus,
    response_time_ms: responseTimeMs,
    // What this request cost as a whole: the query, and the transcription for a spoken one.
    cost_info: t ? costOf({ operation: 'query', tokens, audioSeconds: t.durationS }, deps.parameters) : queryCost,
    usage_info: await usageInfo(deps, input.userId, deps.parameters),
    ...(t ? { transcription: { text: t.text, confidence: t.confidence, duration_s: t.durationS, engine: t.engine } } : {}),
  };
}

function parseCached(raw: string | null): CachedAnswer | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as CachedAnswer;
    return typeof v.answer === 'string' && Array.isArray(v.sources) ? v : null;
  } catch {
    return null; // a corrupt entry is a miss, not an error
  }
}
