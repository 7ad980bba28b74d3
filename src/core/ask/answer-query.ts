import type { Parameters } from '../../config/parameters.js';
import { errors } from '../errors.js';
import { visibleOwners } from '../model/visibility.js';
import type { Source } from '../model/types.js';
import type { AnswerSource } from '../ports/answer-writer.js';
import type { CachedAnswerLookup } from '../ports/answer-lookup.js';
import type { Cache } from '../ports/cache.js';
import type { Clock } from '../ports/clock.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import type { ManualSetVersions } from '../ports/manual-set-versions.js';
import type { Metrics } from '../ports/metrics.js';
import type { AdmissionSlot, AnswerAdmission } from '../perf/answer-admission.js';
import type { SingleFlight } from './single-flight.js';
import { costOf, observeRequestCost, recordUsage, reserveQuota, usageInfo as readUsageInfo, type CostInfo, type QuotaDeps, type UsageInfo } from '../usage/quota.js';
import { answerCacheBase, parseCachedAnswer, twoStepLookup, type CachedAnswer } from './answer-cache-key.js';
import { askQuestion, type AskDeps } from './ask-question.js';

export type CacheStatus = 'hit' | 'miss' | 'bypass';

/** A spoken question's transcript (its transcribe usage was recorded when it was transcribed). */
export interface SpokenQuestion {
  text: string;
  confidence: number;
  durationS: number;
  engine: string;
}

export interface QueryInput {
  userId: string;
  question: string;
  manualIds?: string[];
  includeSources: boolean;
  transcription?: SpokenQuestion;
  startedAt: number; // performance.now() when the request arrived
}

export interface QueryAnswer {
  answer: string;
  question: string;
  sources: Source[];
  context_found: boolean;
  /** "model", "extractive", or "extractive-fallback" (the model failed or its breaker is open). */
  answer_source: AnswerSource;
  cache_status: CacheStatus;
  response_time_ms: number;
  cost_info: CostInfo;
  usage_info: UsageInfo;
  transcription?: { text: string; confidence: number; duration_s: number; engine: string };
}

type QueryParameters = Pick<
  Parameters,
  | 'MaxQuestionLength'
  | 'KnowledgeBaseRetrievalResults'
  | 'CacheTtlSeconds'
  | 'DailyQuotaLimit'
  | 'MonthlyQuotaLimit'
  | 'PriceQueryEur'
  | 'PriceTranscribeMinuteEur'
  | 'PriceInputTokensPer1kEur'
  | 'PriceOutputTokensPer1kEur'
>;

export type AnswerQueryDeps = AskDeps &
  QuotaDeps & {
    manuals: ManualRepo;
    cache: Cache;
    manualVersions: ManualSetVersions;
    /** Reads the versions and the cached answer together (Redis: one round trip); absent: one after the other. */
    answerLookup?: CachedAnswerLookup;
    metrics: Metrics;
    clock: Clock;
    parameters: QueryParameters;
    /** Sheds new answers past LatencyThreshold of queued work (EnablePerformanceOptimization); absent: never. */
    admission?: AnswerAdmission;
    /** Concurrent misses of one cache key share one computation (absent: each computes its own). */
    answerFlights?: SingleFlight<ComputedAnswer>;
  };

/** A freshly computed answer and what it cost in model tokens. */
export interface ComputedAnswer {
  result: CachedAnswer;
  tokens?: { input: number; output: number; model?: string };
}

export function validateQuestion(raw: string, maxLength: number): string {
  const question = raw.trim();
  if (!question) throw errors.validation('question: must not be empty', { field: 'question' });
  if (question.length > maxLength) throw errors.validation(`question: must be at most ${maxLength} characters`, { field: 'question', max_length: maxLength });
  return question;
}

/**
 * Question -> cited answer, under quota, through the per-user answer cache, with usage recorded.
 * The quota is checked and counted in one atomic step before any work (given back if answering fails).
 * The cache fails open: when it cannot be read, the question is answered without it (`bypass`).
 */
export async function answerQuery(deps: AnswerQueryDeps, input: QueryInput): Promise<QueryAnswer> {
  const p = deps.parameters;
  const question = validateQuestion(input.question, p.MaxQuestionLength);
  const owners = visibleOwners(input.userId);
  if (input.manualIds) await checkScope(deps, owners, input.manualIds);
  const limit = p.KnowledgeBaseRetrievalResults;
  // The cache read and the quota's check-and-count go out together: on a shared store (Redis) they
  // travel in one round trip instead of two, a large part of what a cached answer costs. The cache
  // read never throws. A spoken question was checked and counted (as a transcription) before
  // transcribing; its query counts without a check.
  const [cached, reservation] = await Promise.all([
    readCache(deps, { userId: input.userId, question, owners, manualIds: input.manualIds, limit }),
    input.transcription ? null : reserveQuota(deps, { userId: input.userId, parameters: p }), // over quota: 429, before any work
  ]);
  let slot: AdmissionSlot | undefined;
  try {
    // Only a miss queues for retrieval and the writer: that is where overload is judged (503 overloaded).
    // A refused miss gives its reservation back (below), so shedding costs the user no quota.
    // A miss that will share an answer already being computed does no work of its own.
    const sharing = cached.key !== null && !!deps.answerFlights?.has(cached.key);
    slot = cached.value || sharing ? undefined : deps.admission?.admit();
    let result: CachedAnswer | null = cached.value;
    let shared = false;
    let tokens: ComputedAnswer['tokens'];
    if (!result) {
      const compute = async (): Promise<ComputedAnswer> => {
        const asked = await askQuestion(deps, { question, owners, manualIds: input.manualIds, limit }).finally(() => slot?.done());
        const computed: CachedAnswer = { answer: asked.answer, sources: asked.sources, contextFound: asked.contextFound, answerSource: asked.answerSource };
        // The key names the model's writer: a stand-in answer stored under it would be served as the
        // model's for CacheTtlSeconds after the model is back. Not stored; the next ask tries the model again.
        if (cached.key !== null && computed.answerSource !== 'extractive-fallback') {
          await deps.cache.set(cached.key, JSON.stringify(computed), p.CacheTtlSeconds).catch(() => undefined);
        }
        return { result: computed, ...(asked.usage ? { tokens: { input: asked.usage.inputTokens, output: asked.usage.outputTokens, model: asked.usage.model } } : {}) };
      };
      // The same question already being answered (a stampede on a popular one): wait for that answer.
      const flight = cached.key !== null && deps.answerFlights ? deps.answerFlights.run(cached.key, compute) : { shared: false, value: compute() };
      // Another request started the same answer meanwhile: this one shares it, and frees its place.
      if (flight.shared) slot?.done();
      const done = await flight.value;
      result = done.result;
      shared = flight.shared;
      if (!shared) tokens = done.tokens;
    }
    // A shared answer is served like a cached one: no work of its own, no tokens.
    const cacheStatus: CacheStatus = cached.key === null ? 'bypass' : cached.value || shared ? 'hit' : 'miss';
    deps.metrics.count('answers_total', { cache_status: cacheStatus });
    const answerSource = result.answerSource ?? (deps.answerWriter.id === 'extractive' ? 'extractive' : 'model');

    const responseTimeMs = Math.round(performance.now() - input.startedAt);
    const queryCost = costOf({ operation: 'query', tokens }, p);
    const usageInfo = await recordUsage(deps, {
      userId: input.userId,
      operation: 'query',
      costEur: queryCost.total_cost,
      reserved: reservation !== null,
      parameters: p,
      detail: {
        question: question.slice(0, 300),
        context_found: result.contextFound,
        answer_source: answerSource,
        cache_status: cacheStatus,
        response_time_ms: responseTimeMs,
        sources: result.sources.length,
        voice: Boolean(input.transcription),
      },
    });
    const t = input.transcription;
    // What this request cost as a whole: the query, and the transcription for a spoken one.
    const costInfo = t ? costOf({ operation: 'query', tokens, audioSeconds: t.durationS }, p) : queryCost;
    observeRequestCost(deps, costInfo.total_cost);
    return {
      answer: result.answer,
      question,
      sources: input.includeSources ? result.sources : [],
      context_found: result.contextFound,
      answer_source: answerSource,
      cache_status: cacheStatus,
      response_time_ms: responseTimeMs,
      cost_info: costInfo,
      usage_info: usageInfo ?? reservation?.info ?? (await readUsageInfo(deps, input.userId, p)),
      ...(t ? { transcription: { text: t.text, confidence: t.confidence, duration_s: t.durationS, engine: t.engine } } : {}),
    };
  } catch (e) {
    slot?.done();
    await reservation?.release().catch(() => undefined);
    throw e;
  }
}

/** Someone else's manual id looks exactly like an id that doesn't exist. */
async function checkScope(deps: Pick<AnswerQueryDeps, 'manuals'>, owners: readonly string[], manualIds: readonly string[]): Promise<void> {
  const visible = new Set((await deps.manuals.list(owners)).map((m) => m.id));
  if (manualIds.some((id) => !visible.has(id))) throw errors.notFound('Manual');
}

/** The key and the cached answer; key null when the cache (or the versions) cannot be read: bypass. */
async function readCache(
  deps: Pick<AnswerQueryDeps, 'cache' | 'manualVersions' | 'answerLookup' | 'answerWriter'>,
  q: { userId: string; question: string; owners: readonly string[]; manualIds?: string[]; limit: number },
): Promise<{ key: string | null; value: CachedAnswer | null }> {
  try {
    const base = answerCacheBase({ userId: q.userId, writerId: deps.answerWriter.id, question: q.question, manualIds: q.manualIds, limit: q.limit });
    const { key, value } = await (deps.answerLookup ?? twoStepLookup(deps.manualVersions, deps.cache)).lookup(q.owners, base);
    return { key, value: parseCachedAnswer(value) };
  } catch {
    return { key: null, value: null }; // the adapter logged the outage once; the question is answered anyway
  }
}
