import type { CachedAnswerLookup } from '../../core/ports/answer-lookup.js';
import type { AnswerWriter } from '../../core/ports/answer-writer.js';
import type { BlobStore } from '../../core/ports/blob-store.js';
import type { Cache } from '../../core/ports/cache.js';
import type { Embedder } from '../../core/ports/embedder.js';
import type { KnowledgeBase } from '../../core/ports/knowledge-base.js';
import type { Logger } from '../../core/ports/logger.js';
import type { ManualSetVersions } from '../../core/ports/manual-set-versions.js';
import type { Transcriber } from '../../core/ports/transcriber.js';
import type { SpanAttributes, Tracer } from '../../core/ports/tracer.js';
import type { UsageCounters } from '../../core/ports/usage-counters.js';

/** Per traced method: the span's attributes from its arguments. */
type Described<T> = {
  [K in keyof T]?: T[K] extends ((...args: infer A) => Promise<unknown>) | undefined ? (...args: A) => SpanAttributes | undefined : never;
};

const none = () => undefined;

/**
 * The same adapter, each listed method inside a span `<component>.<method>`. Everything else (ids,
 * dimensions, optional methods the adapter lacks, `instanceof`) behaves exactly as the adapter does.
 * Applied at wiring time, only when tracing is on.
 */
export function traced<T extends object>(tracer: Tracer, component: string, target: T, methods: Described<T>): T {
  const wrapped = new Map<PropertyKey, unknown>();
  for (const [name, describe] of Object.entries(methods) as [string, (...args: unknown[]) => SpanAttributes | undefined][]) {
    const fn = (target as Record<string, unknown>)[name];
    if (typeof fn !== 'function') continue;
    wrapped.set(name, (...args: unknown[]) => tracer.span(`${component}.${name}`, describe(...args), () => fn.apply(target, args) as Promise<unknown>));
  }
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(t, prop) {
      if (wrapped.has(prop)) return wrapped.get(prop);
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      // Methods not traced still run with the adapter as `this` (private fields work).
      if (!bound.has(prop)) bound.set(prop, value.bind(t));
      return bound.get(prop);
    },
  });
}

export const tracedKnowledgeBase = (tracer: Tracer, kb: KnowledgeBase) =>
  traced(tracer, 'kb', kb, {
    search: (q) => ({ 'kb.leg': q.vector ? 'vector' : 'keyword', 'kb.limit': q.limit, 'kb.owners': q.owners.length }),
    indexChunks: (manualId, _owner, _name, chunks) => ({ 'manual.id': manualId, 'kb.chunks': chunks.length }),
    putVectors: (items) => ({ 'kb.vectors': items.length }),
    chunksWithoutVectors: (manualId, limit) => ({ 'manual.id': manualId, 'kb.limit': limit }),
    pageChunks: (_owners, pages) => ({ 'kb.pages': pages.length }),
    documentFrequencies: (_owners, terms) => ({ 'kb.terms': terms.length }),
    vocabulary: (_owners, limit) => ({ 'kb.limit': limit }),
    deleteManual: (manualId) => ({ 'manual.id': manualId }),
  });

export const tracedEmbedder = (tracer: Tracer, embedder: Embedder) =>
  traced(tracer, 'embedder', embedder, { embed: (texts) => ({ 'embedder.model': embedder.modelId, 'embedder.texts': texts.length }) });

export const tracedBlobStore = (tracer: Tracer, blobs: BlobStore) =>
  traced(tracer, 'blobs', blobs, {
    put: (_key, data) => (Buffer.isBuffer(data) ? { 'blob.bytes': data.length } : undefined),
    get: none,
    stream: none,
    delete: none,
    exists: none,
  });

export const tracedAnswerWriter = (tracer: Tracer, writer: AnswerWriter) =>
  traced(tracer, 'answer_writer', writer, { write: (_question, passages) => ({ 'answer_writer.id': writer.id, 'answer_writer.passages': passages.length }) });

export const tracedTranscriber = (tracer: Tracer, transcriber: Transcriber) =>
  traced(tracer, 'transcriber', transcriber, { transcribe: (wav, o) => ({ 'audio.bytes': wav.length, 'transcriber.hints': o?.hints?.length ?? 0 }) });

export const tracedCache = (tracer: Tracer, cache: Cache) => traced(tracer, 'cache', cache, { get: none, set: none, del: none });

export const tracedAnswerLookup = (tracer: Tracer, lookup: CachedAnswerLookup) => traced(tracer, 'cache', lookup, { lookup: (owners) => ({ 'kb.owners': owners.length }) });

export const tracedCounters = (tracer: Tracer, counters: UsageCounters) => traced(tracer, 'usage_counters', counters, { checkAndCount: none, add: none, read: none });

export const tracedManualVersions = (tracer: Tracer, versions: ManualSetVersions) =>
  traced(tracer, 'manual_versions', versions, { read: (owners) => ({ 'kb.owners': owners.length }), bump: none });

/** Every line logged inside a span carries its trace_id and span_id (what joins a log line to its trace). */
export function withTraceIds(logger: Logger, ids: () => Record<string, string> | undefined): Logger {
  const fields = (obj: object | string): [object | string, string | undefined] | null => {
    const f = ids();
    if (!f) return null;
    if (typeof obj === 'string') return [f, obj];
    // pino reads a bare Error as the error to log; keep it under `err` so it is not flattened away.
    return obj instanceof Error ? [{ ...f, err: obj }, obj.message] : [{ ...f, ...obj }, undefined];
  };
  const at =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (obj: object | string, msg?: string): void => {
      // A line the level drops costs no context lookup (the request line at LOG_LEVEL=warn, on every request).
      if (logger.isLevelEnabled?.(level) === false) return;
      const f = fields(obj);
      if (!f) return logger[level](obj, msg);
      logger[level](f[0], msg ?? f[1]);
    };
  return {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: (bindings) => withTraceIds(logger.child(bindings), ids),
    ...(logger.isLevelEnabled ? { isLevelEnabled: (level: string) => logger.isLevelEnabled!(level) } : {}),
  };
}
