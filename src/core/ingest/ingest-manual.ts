import { errors, isManuelError } from '../errors.js';
import type { Job } from '../model/types.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { Logger } from '../ports/logger.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import type { PdfInspector } from '../ports/pdf-inspector.js';
import type { PdfReader } from '../ports/pdf-reader.js';
import { noTracer, type Tracer } from '../ports/tracer.js';
import { chunkPages, embeddingText } from './chunker.js';
import { quarantineReason } from './pdf-threats.js';

export interface IngestDeps {
  manuals: ManualRepo;
  blobs: BlobStore;
  pdfReader: PdfReader;
  /** Always runs before the reader: bombs fail the job, active content quarantines the manual. */
  inspector: PdfInspector;
  kb: KnowledgeBase;
  /** null: keyword search only (EmbeddingWorkers = 0). */
  embedder: Embedder | null;
  logger?: Logger;
  /** Spans of the job and of its steps (EnableXRayTracing). */
  tracer?: Tracer;
}

export interface IngestProgress {
  stage: string;
  statistics: Record<string, number>;
}

export interface IngestOptions {
  /** Chunks per embedder call: large enough to keep every embedding worker busy. */
  embedBatch?: number;
}

/** Failures that no retry can fix: the job fails at once with this code as its reason. */
export const PERMANENT_INGEST_ERRORS = new Set(['invalid_pdf', 'pdf_bomb', 'encrypted_pdf', 'no_text', 'not_found', 'not_a_pdf']);

/**
 * One ingest job: PDF -> pages -> chunks -> keyword index -> vectors. Safe to run again after a crash:
 * indexChunks replaces the manual's chunks and only chunks still without a vector are embedded.
 * Traced as one span (the job, with its statistics) whose children are the steps.
 */
export function ingestManual(
  deps: IngestDeps,
  job: Job,
  onProgress: (p: IngestProgress) => Promise<void> | void,
  opts: IngestOptions = {},
): Promise<Record<string, number>> {
  const attributes = { 'job.id': job.id, 'manual.id': job.manualId, 'job.attempt': job.attempts };
  return (deps.tracer ?? noTracer).span('ingest', attributes, async (span) => {
    const stats = await ingestSteps(deps, deps.tracer ?? noTracer, job, onProgress, opts);
    span.setAttributes(stats);
    return stats;
  });
}

async function ingestSteps(
  deps: IngestDeps,
  tracer: Tracer,
  job: Job,
  onProgress: (p: IngestProgress) => Promise<void> | void,
  opts: IngestOptions,
): Promise<Record<string, number>> {
  const stats: Record<string, number> = {};
  const progress = (stage: string) => onProgress({ stage, statistics: { ...stats } });
  const manual = await deps.manuals.get(job.manualId, [job.ownerId]);
  if (!manual) throw errors.notFound('Manual');
  await deps.manuals.update(manual.id, { status: 'processing', error: null });

  await progress('extracting');
  const pdf = await deps.blobs.get(manual.blobKey);
  if (!pdf) throw errors.notFound('Manual file');
  const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const inspection = await tracer.span('ingest.inspect', { 'pdf.bytes': bytes.length }, () => deps.inspector.inspect(bytes));
  Object.assign(stats, { inspect_ms: inspection.ms, pdf_objects: inspection.objects, pdf_streams: inspection.streams, inflated_bytes: inspection.inflatedBytes });
  const reason = quarantineReason(inspection);
  // A released manual stays released when its job runs again (retry, re-upload after a failure).
  if (reason && !manual.quarantineReleasedAt) {
    await deps.manuals.update(manual.id, { quarantineReason: reason });
    deps.logger?.warn({ manual_id: manual.id, keywords: inspection.keywords, reason }, 'manual quarantined');
  }
  let t = Date.now();
  const { pages } = await tracer.span('ingest.extract', { 'pdf.bytes': bytes.length }, () => deps.pdfReader.read(bytes));
  stats.extract_ms = Date.now() - t;
  stats.pages = pages.length;
  if (!pages.some((p) => p.text.trim().length > 0)) throw errors.noText();

  await progress('indexing');
  t = Date.now();
  const chunks = await tracer.span('ingest.chunk', { 'pdf.pages': pages.length }, async () => chunkPages(pages, { manualId: manual.id, ownerId: manual.ownerId }));
  if (chunks.length === 0) throw errors.noText();
  await tracer.span('ingest.index', { chunks: chunks.length }, () => deps.kb.indexChunks(manual.id, manual.ownerId, manual.name, chunks));
  await ensureNotDeleted(deps, job);
  stats.index_ms = Date.now() - t;
  stats.chunks = chunks.length;
  stats.embedded_chunks = 0;
  await deps.manuals.update(manual.id, { pages: pages.length, chunks: chunks.length, embeddedChunks: 0 });

  if (deps.embedder) {
    await progress('embedding');
    const embed = (onBatch: (done: number, ms: number) => Promise<void>) =>
      tracer.span('ingest.embed', { chunks: chunks.length }, () => embedMissing(deps.kb, deps.embedder!, manual.id, chunks.length, opts.embedBatch ?? 64, onBatch));
    stats.embedded_chunks = await embed(async (done, ms) => {
      stats.embedded_chunks = done;
      stats.embed_ms = ms;
      await ensureNotDeleted(deps, job);
      await deps.manuals.update(manual.id, { embeddedChunks: done });
      await progress('embedding');
    });
  }
  await deps.manuals.update(manual.id, { status: 'completed', embeddedChunks: stats.embedded_chunks, error: null });
  return stats;
}

/** The user may delete the manual while it is being ingested: then drop what this job indexed. */
async function ensureNotDeleted(deps: IngestDeps, job: Job): Promise<void> {
  if (await deps.manuals.get(job.manualId, [job.ownerId])) return;
  await deps.kb.deleteManual(job.manualId);
  throw errors.notFound('Manual');
}

async function embedMissing(
  kb: KnowledgeBase,
  embedder: Embedder,
  manualId: string,
  total: number,
  batch: number,
  onBatch: (done: number, ms: number) => Promise<void>,
): Promise<number> {
  const started = Date.now();
  let embedded = 0;
  // Bounded: a knowledge base that never reports the vectors as stored must not loop forever.
  for (let round = 0; round <= Math.ceil(total / batch); round++) {
    const todo = await kb.chunksWithoutVectors(manualId, batch);
    if (todo.length === 0) return total; // vectors kept from an earlier attempt count too
    const vectors = await embedder.embed(todo.map(embeddingText));
    await kb.putVectors(todo.map((c, i) => ({ chunkId: c.id, vector: vectors[i]! })));
    embedded += todo.length;
    await onBatch(Math.min(total, embedded), Date.now() - started);
  }
  throw new Error(`Embedding of manual ${manualId} did not converge`);
}

/**
 * Final failure of an ingest job: nothing of the manual stays in the index (no half-indexed manual
 * answers questions) and the manual shows the reason code.
 */
export async function markIngestFailed(deps: Pick<IngestDeps, 'manuals' | 'kb'>, job: Job, reason: string): Promise<void> {
  await deps.kb.deleteManual(job.manualId);
  await deps.manuals.update(job.manualId, { status: 'failed', error: reason, chunks: 0, embeddedChunks: 0 });
}

/** The code a failure is reported under: the ManuelError code, else internal_error. */
export const failureCode = (e: unknown): string => (isManuelError(e) ? e.code : 'internal_error');
