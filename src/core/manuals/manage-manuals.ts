import type { Readable } from 'node:stream';
import { errors } from '../errors.js';
import { SHARED_OWNER, type Job, type Manual } from '../model/types.js';
import { visibleOwners } from '../model/visibility.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import { isQuarantined } from '../ingest/pdf-threats.js';

/** A manual as the API shows it (field names of the original Manuel API). */
export interface ManualDto {
  id: string;
  name: string;
  file_name: string;
  upload_date: string;
  size: number;
  pages: number;
  status: Manual['status'];
  chunks: number;
  embedded_chunks: number;
  error: string | null;
  source: Manual['source'];
  shared: boolean;
  quarantined: boolean;
  quarantine_reason: string | null;
  job_id?: string;
  stage?: string;
}

export function toManualDto(m: Manual, job?: Job | null): ManualDto {
  return {
    id: m.id,
    name: m.name,
    file_name: m.fileName,
    upload_date: m.uploadDate,
    size: m.size,
    pages: m.pages,
    status: m.status,
    chunks: m.chunks,
    embedded_chunks: m.embeddedChunks,
    error: m.error,
    source: m.source,
    shared: m.ownerId === SHARED_OWNER,
    quarantined: isQuarantined(m),
    quarantine_reason: m.quarantineReason,
    ...(job ? { job_id: job.id, stage: job.stage } : {}),
  };
}

export interface CleanupSummary {
  chunks_deleted: number;
  vectors_deleted: number;
  jobs_deleted: number;
  file_deleted: boolean;
}

export interface Caller {
  userId: string;
  isAdmin?: boolean;
}

export async function listManuals(deps: { manuals: ManualRepo }, caller: Caller): Promise<Manual[]> {
  return deps.manuals.list(visibleOwners(caller.userId));
}

/** The manual (own or shared) or not_found — another user's manual is indistinguishable from none. */
export async function getManual(deps: { manuals: ManualRepo }, caller: Caller & { manualId: string }): Promise<Manual> {
  const m = await deps.manuals.get(caller.manualId, visibleOwners(caller.userId));
  if (!m) throw errors.notFound('Manual');
  return m;
}

/** The manual with its latest ingest job (for detail views and status polling). */
export async function getManualWithJob(deps: { manuals: ManualRepo; jobs: JobQueue }, caller: Caller & { manualId: string }): Promise<{ manual: Manual; job: Job | null }> {
  const manual = await getManual(deps, caller);
  const job = (await deps.jobs.forManual(manual.id))[0] ?? null;
  return { manual, job };
}

/** The manual whose original bytes the caller may download (same checks as readManualFile, no bytes read). */
export async function downloadableManual(deps: { manuals: ManualRepo }, caller: Caller & { manualId: string }): Promise<Manual> {
  const manual = await getManual(deps, caller);
  if (isQuarantined(manual)) throw errors.quarantined(manual.quarantineReason!);
  return manual;
}

export async function readManualFile(
  deps: { manuals: ManualRepo; blobs: BlobStore },
  caller: Caller & { manualId: string },
): Promise<{ manual: Manual; stream: Readable; size: number; fileName: string }> {
  // Text and page images stay available (rendered by us, no script runs); the original bytes do not.
  const manual = await downloadableManual(deps, caller);
  const stream = await deps.blobs.stream(manual.blobKey);
  if (!stream) throw errors.notFound('Manual file');
  return { manual, stream, size: manual.size, fileName: manual.fileName };
}

/**
 * Delete a manual with everything derived from it. Users delete their own manuals; shared-library
 * manuals only admins (bootstrap clear). The PDF goes only when no other manual (another user who
 * uploaded the same bytes) still points at it.
 */
export async function deleteManual(
  deps: { manuals: ManualRepo; jobs: JobQueue; blobs: BlobStore; kb: KnowledgeBase; ops?: { deadLetters?: DeadLetterQueue } },
  caller: Caller & { manualId: string },
): Promise<CleanupSummary> {
  const manual = await getManual(deps, caller);
  if (manual.ownerId === SHARED_OWNER && !caller.isAdmin) throw errors.forbidden('Shared library manuals can only be removed by an admin');
  // Row first: a worker still ingesting it sees the manual gone and drops what it indexes.
  await deps.manuals.delete(manual.id);
  const jobsDeleted = await deps.jobs.deleteForManual(manual.id);
  await deps.ops?.deadLetters?.removeFor({ manualId: manual.id }); // nothing left to retry
  const removed = await deps.kb.deleteManual(manual.id);
  const fileDeleted = (await deps.manuals.countByBlobKey(manual.blobKey)) === 0 ? await deps.blobs.delete(manual.blobKey) : false;
  return { chunks_deleted: removed.chunks, vectors_deleted: removed.vectors, jobs_deleted: jobsDeleted, file_deleted: fileDeleted };
}

/** Every user's quarantined manuals: admins only (ordinary reads stay filtered by owner). */
export async function listQuarantinedManuals(deps: { manuals: ManualRepo }, caller: Caller): Promise<Manual[]> {
  if (!caller.isAdmin) throw errors.forbidden('Only an admin can review quarantined manuals');
  return deps.manuals.listQuarantined();
}

/** An admin releases a quarantined manual: its original file is served again (the reason stays on record). */
export async function releaseManual(deps: { manuals: ManualRepo; clock?: Clock }, caller: Caller & { manualId: string }): Promise<Manual> {
  if (!caller.isAdmin) throw errors.forbidden('Only an admin can release a quarantined manual');
  const manual = (await deps.manuals.listQuarantined()).find((m) => m.id === caller.manualId);
  if (!manual) throw errors.notFound('Quarantined manual');
  const releasedAt = (deps.clock ?? systemClock).now().toISOString();
  await deps.manuals.update(manual.id, { quarantineReleasedAt: releasedAt });
  return { ...manual, quarantineReleasedAt: releasedAt };
}
