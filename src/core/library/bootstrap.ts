import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors, isManuelError } from '../errors.js';
import { SHARED_OWNER, type Manual } from '../model/types.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import { submitManual } from '../ingest/submit-manual.js';
import { deleteManual, toManualDto, type CleanupSummary } from '../manuals/manage-manuals.js';

export type BootstrapAction = 'populate' | 'clear' | 'status';

export interface BootstrapDeps {
  manuals: ManualRepo;
  jobs: JobQueue;
  blobs: BlobStore;
  kb: KnowledgeBase;
  clock?: Clock;
}

export interface BootstrapResults {
  populate: Awaited<ReturnType<typeof populate>>;
  clear: Awaited<ReturnType<typeof clear>>;
  status: Awaited<ReturnType<typeof status>>;
}

/** The shared library: manuals every user sees, loaded by an admin from a folder of PDFs. */
export async function bootstrapLibrary<A extends BootstrapAction>(deps: BootstrapDeps, input: { action: A; dir: string }): Promise<BootstrapResults[A]> {
  const action: BootstrapAction = input.action;
  switch (action) {
    case 'populate':
      return (await populate(deps, input.dir)) as BootstrapResults[A];
    case 'clear':
      return (await clear(deps)) as BootstrapResults[A];
    case 'status':
      return (await status(deps, input.dir)) as BootstrapResults[A];
    default:
      throw errors.validation(`Unknown bootstrap action: ${String(input.action)}`, { allowed: ['populate', 'clear', 'status'] });
  }
}

async function pdfFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && /\.pdf$/i.test(e.name)).map((e) => e.name).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw errors.notFound(`Library folder ${dir}`);
    throw e;
  }
}

async function populate(deps: BootstrapDeps, dir: string) {
  const results: { file: string; manual_id?: string; job_id?: string; status: string; duplicate?: boolean; error?: string }[] = [];
  for (const file of await pdfFiles(dir)) {
    try {
      const data = await readFile(join(dir, file));
      const r = await submitManual(deps, { ownerId: SHARED_OWNER, fileName: file, data, source: 'bootstrap' });
      results.push({ file, manual_id: r.manual.id, job_id: r.job.id, status: r.manual.status, duplicate: r.duplicate });
    } catch (e) {
      // One bad file must not stop the others from loading.
      results.push({ file, status: 'rejected', error: isManuelError(e) ? e.code : (e as Error).message });
    }
  }
  return {
    action: 'populate' as const,
    dir,
    submitted: results.filter((r) => r.duplicate === false).length,
    duplicates: results.filter((r) => r.duplicate === true).length,
    rejected: results.filter((r) => r.status === 'rejected').length,
    files: results,
  };
}

async function clear(deps: BootstrapDeps) {
  const shared = await deps.manuals.list([SHARED_OWNER]);
  const total: CleanupSummary = { chunks_deleted: 0, vectors_deleted: 0, jobs_deleted: 0, file_deleted: false };
  let filesDeleted = 0;
  for (const m of shared) {
    const s = await deleteManual(deps, { userId: SHARED_OWNER, isAdmin: true, manualId: m.id });
    total.chunks_deleted += s.chunks_deleted;
    total.vectors_deleted += s.vectors_deleted;
    total.jobs_deleted += s.jobs_deleted;
    if (s.file_deleted) filesDeleted++;
  }
  total.file_deleted = filesDeleted > 0;
  return { action: 'clear' as const, deleted: shared.length, files_deleted: filesDeleted, cleanup_summary: total };
}

async function status(deps: BootstrapDeps, dir: string) {
  const shared = await deps.manuals.list([SHARED_OWNER]);
  const byStatus: Partial<Record<Manual['status'], number>> = {};
  for (const m of shared) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
  return {
    action: 'status' as const,
    dir,
    count: shared.length,
    by_status: byStatus,
    pages: shared.reduce((n, m) => n + m.pages, 0),
    chunks: shared.reduce((n, m) => n + m.chunks, 0),
    embedded_chunks: shared.reduce((n, m) => n + m.embeddedChunks, 0),
    manuals: shared.map((m) => toManualDto(m)),
  };
}
