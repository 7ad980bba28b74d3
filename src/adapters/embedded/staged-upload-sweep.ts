import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { discardIfAbandoned, STAGING_PREFIX, UPLOAD_ID, type DirectUploadDeps } from '../../core/ingest/direct-upload.js';
import type { Logger } from '../../core/ports/logger.js';

/**
 * The embedded shape's stand-in for the bucket's StagedUploads lifecycle rule (ADR 0030): direct
 * uploads never completed are discarded once their completion window has passed. Reads the file
 * store's staging folder (`<blobs root>/uploads/`); the session itself decides. Returns the count.
 */
export async function sweepStagedUploads(deps: DirectUploadDeps & { blobsRoot: string }): Promise<number> {
  let names: string[];
  try {
    names = await readdir(join(deps.blobsRoot, STAGING_PREFIX));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  const ids = new Set(names.map((n) => n.split('.')[0]!).filter((id) => UPLOAD_ID.test(id)));
  let swept = 0;
  for (const id of ids) if (await discardIfAbandoned(deps, id)) swept++;
  return swept;
}

/** At start and hourly (unref'd); returns the stop function. */
export function scheduleStagedUploadSweep(deps: DirectUploadDeps & { blobsRoot: string; logger: Logger }, everyMs = 3_600_000): () => void {
  const run = () =>
    void sweepStagedUploads(deps).then(
      (n) => n && deps.logger.info({ swept: n }, 'abandoned direct uploads discarded'),
      (e: unknown) => deps.logger.warn({ err: e }, 'staged upload sweep failed'),
    );
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
