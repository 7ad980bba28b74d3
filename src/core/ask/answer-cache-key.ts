import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Source } from '../model/types.js';
import type { AnswerSource } from '../ports/answer-writer.js';
import type { CachedAnswerLookup } from '../ports/answer-lookup.js';
import type { Cache } from '../ports/cache.js';
import type { ManualSetVersions } from '../ports/manual-set-versions.js';

export interface CachedAnswer {
  answer: string;
  sources: Source[];
  contextFound: boolean;
  /** Never 'extractive-fallback': a stand-in answer is not stored under the model's key. Absent in older entries. */
  answerSource?: AnswerSource;
}

// Sentence punctuation around a word: stripped. Inside a word (3.1, e-mail, C++, set -x's "-x") it stays.
const LEADING = /^[\s"'“”‘’«»()[\]{}¿¡,;:!?…]+/u;
const TRAILING = /[\s"'“”‘’«»()[\]{},;:!?.…]+$/u;
const HAS_WORD = /[\p{L}\p{N}]/u;

/**
 * The question as the cache sees it: case, spacing and sentence punctuation do not make another
 * question; characters that change meaning inside a token do ("3.1" is not "31", "-x" is not "x").
 */
export function normaliseQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .split(/\s+/u)
    .map((t) => t.replace(LEADING, '').replace(TRAILING, ''))
    .filter((t) => HAS_WORD.test(t))
    .join(' ');
}

/**
 * The cache key of an answer. It starts with the user id, so two users never share an entry, and folds
 * in the version of every manual set the question can see (the user's and the shared library's):
 * an upload, an ingestion step, a deletion or a library change bumps one, which gives new keys, so a
 * stale answer is never served and nothing is scanned or deleted. Old entries age out by TTL/LRU.
 * It is `answerCacheBase(…)` + `:v` + the versions joined by dots (versionedAnswerKey), a form a
 * store can build itself from the versions it reads (RedisAnswerLookup does, in one round trip).
 */
export function answerCacheKey(input: {
  userId: string;
  writerId: string;
  question: string;
  versions: readonly number[];
  manualIds?: readonly string[];
  limit: number;
}): string {
  return versionedAnswerKey(answerCacheBase(input), input.versions);
}

/** Everything of the key but the versions: the user, then a digest of the writer, the scope and the question. */
export function answerCacheBase(input: { userId: string; writerId: string; question: string; manualIds?: readonly string[]; limit: number }): string {
  const scope = input.manualIds ? [...new Set(input.manualIds)].sort().join(',') : '*';
  const digest = createHash('sha256')
    .update(JSON.stringify([input.writerId, input.limit, scope, normaliseQuestion(input.question)]))
    .digest('base64url');
  return `answer:${input.userId}:${digest}`;
}

export const versionedAnswerKey = (base: string, versions: readonly number[]): string => `${base}:v${versions.join('.')}`;

/** The lookup as two reads: the versions, then the entry under the key they make. Every store can. */
export const twoStepLookup = (versions: ManualSetVersions, cache: Cache): CachedAnswerLookup => ({
  async lookup(owners, base) {
    const key = versionedAnswerKey(base, await versions.read(owners));
    return { key, value: await cache.get(key) };
  },
});

/**
 * Answers recently parsed, by their cached text. A cache hands back the same string for the same
 * entry (MemoryCache keeps it; RedisAnswerLookup keeps what it read), so a popular answer is parsed
 * once, not on every hit: parsing 6 KB and the objects it makes were a large share of what a cached
 * answer cost (ADR 0036). Shared between requests, so frozen.
 */
const parsed = new LRUCache<string, CachedAnswer>({ max: 256 });

export function parseCachedAnswer(raw: string | null): CachedAnswer | null {
  if (!raw) return null;
  const known = parsed.get(raw);
  if (known) return known;
  let v: CachedAnswer;
  try {
    v = JSON.parse(raw) as CachedAnswer;
  } catch {
    return null; // a corrupt entry is a miss, not an error
  }
  if (typeof v?.answer !== 'string' || !Array.isArray(v.sources)) return null;
  parsed.set(raw, deepFreeze(v));
  return v;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
