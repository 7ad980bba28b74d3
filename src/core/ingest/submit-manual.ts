import { createHash, randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { errors, isManuelError } from '../errors.js';
import type { Job, Manual } from '../model/types.js';
import type { BlobStore } from '../ports/blob-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { ManualRepo } from '../ports/manual-repo.js';

export interface SubmitManualDeps {
  manuals: ManualRepo;
  jobs: JobQueue;
  blobs: BlobStore;
  clock?: Clock;
}

export interface SubmitManualInput {
  ownerId: string;
  fileName: string;
  name?: string;
  data: Buffer;
  source: Manual['source'];
}

export interface SubmitManualResult {
  manual: Manual;
  job: Job;
  duplicate: boolean;
}

/** PDF readers accept a few bytes of junk before the header, so look in the first KiB like they do. */
export function looksLikePdf(data: Buffer): boolean {
  return data.subarray(0, 1024).includes('%PDF-');
}

export const blobKeyFor = (sha256: string) => `manuals/${sha256}.pdf`;

export function newIngestJob(manual: Pick<Manual, 'id' | 'ownerId'>, now: Date): Job {
  const iso = now.toISOString();
  return {
    id: randomUUID(),
    kind: 'ingest',
    manualId: manual.id,
    ownerId: manual.ownerId,
    status: 'queued',
    stage: 'queued',
    attempts: 0,
    createdAt: iso,
    updatedAt: iso,
    startedAt: null,
    finishedAt: null,
    statistics: {},
    failureReasons: [],
  };
}

/**
 * A write that fails may have left part of the file under its key (a store that is not atomic, or an
 * object store's partial upload): remove it, so no manual ever points at half a PDF, and answer with
 * a coded error (storage_error), the cause kept for the logs and error tracking.
 */
async function storeBlob(deps: SubmitManualDeps, blobKey: string, data: Buffer): Promise<void> {
  try {
    await deps.blobs.put(blobKey, data);
  } catch (e) {
    // Another upload of the same bytes may own the key by now: only an unreferenced blob goes.
    if ((await deps.manuals.countByBlobKey(blobKey).catch(() => 1)) === 0) await deps.blobs.delete(blobKey).catch(() => false);
    throw isManuelError(e) ? e : errors.storage(e);
  }
}

/**
 * Store the PDF by content hash, create the manual (queued) and enqueue its ingest job. If the
 * enqueue fails the manual row (and a blob nobody else uses) is removed again: a manual without a
 * job would stay "queued" forever.
 */
export async function submitManual(deps: SubmitManualDeps, input: SubmitManualInput): Promise<SubmitManualResult> {
  const clock = deps.clock ?? systemClock;
  if (!looksLikePdf(input.data)) throw errors.notAPdf();
  const contentHash = createHash('sha256').update(input.data).digest('hex');

  const existing = await deps.manuals.findByHash(input.ownerId, contentHash);
  if (existing) return resubmit(deps, existing, clock);

  const blobKey = blobKeyFor(contentHash);
  const blobWasNew = !(await deps.blobs.exists(blobKey));
  if (blobWasNew) await storeBlob(deps, blobKey, input.data);

  const fileName = basename(input.fileName.replace(/\\/g, '/')) || 'manual.pdf';
  const manual: Manual = {
    id: randomUUID(),
    ownerId: input.ownerId,
    name: input.name?.trim() || fileName,
    fileName,
    contentHash,
    blobKey,
    size: input.data.length,
    pages: 0,
    chunks: 0,
    embeddedChunks: 0,
    status: 'queued',
    uploadDate: clock.now().toISOString(),
    error: null,
    source: input.source,
    quarantineReason: null,
    quarantineReleasedAt: null,
  };
  try {
    await deps.manuals.create(manual);
  } catch (e) {
    // The same owner uploaded the same bytes concurrently and won the race: answer like a duplicate.
    const raced = isManuelError(e) && e.code === 'conflict' ? await deps.manuals.findByHash(input.ownerId, contentHash) : null;
    if (raced) return resubmit(deps, raced, clock);
    await dropBlobIfUnused(deps, blobKey, blobWasNew);
    throw e;
  }

  const job = newIngestJob(manual, clock.now());
  try {
    await deps.jobs.enqueue(job);
  } catch (e) {
    await deps.manuals.delete(manual.id);
    await dropBlobIfUnused(deps, blobKey, blobWasNew);
    throw e;
  }
  return { manual, job, duplicate: false };
}

/** A duplicate upload returns the existing manual; a failed one gets a fresh attempt. */
async function resubmit(deps: SubmitManualDeps, manual: Manual, clock: Clock): Promise<SubmitManualResult> {
  const latest = (await deps.jobs.forManual(manual.id))[0];
  if (latest && manual.status !== 'failed') return { manual, job: latest, duplicate: true };
  const job = newIngestJob(manual, clock.now());
  await deps.jobs.enqueue(job);
  await deps.manuals.update(manual.id, { status: 'queued', error: null });
  return { manual: { ...manual, status: 'queued', error: null }, job, duplicate: true };
}

async function dropBlobIfUnused(deps: SubmitManualDeps, blobKey: string, blobWasNew: boolean): Promise<void> {
  if (blobWasNew && (await deps.manuals.countByBlobKey(blobKey)) === 0) await deps.blobs.delete(blobKey);
}
