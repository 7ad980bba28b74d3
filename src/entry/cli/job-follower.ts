import type { IngestionStatus, SubmitResponse } from './api-types.js';
import type { CliContext } from './cli-context.js';
import type { FileProgress } from './ingestion-progress.js';
import { waitForJob } from './ingestion-progress.js';

export interface Submitted {
  label: string;
  submit?: SubmitResponse;
  error?: string;
  progress: FileProgress;
}

export interface FollowedResult {
  file: string;
  manual_id?: string;
  job_id?: string;
  status: string;
  error?: string;
  ingestion?: IngestionStatus;
}

function describe(s: IngestionStatus): string {
  const stats = Object.entries(s.statistics ?? {})
    // timings and the upload inspection's counts are for logs, not people
    .filter(([k, v]) => typeof v === 'number' && !/(^|_)ms$|^pdf_|^inflated_/.test(k))
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`)
    .join(', ');
  if (s.status === 'failed') return `failed: ${(s.failure_reasons ?? []).join('; ') || 'no reason given'}`;
  return stats ? `${s.status} (${stats})` : s.status;
}

/** Waits for every submitted job in parallel; a failure of one never stops the others. */
export async function followJobs(ctx: CliContext, items: Submitted[], wait: boolean): Promise<FollowedResult[]> {
  return Promise.all(
    items.map(async (item): Promise<FollowedResult> => {
      if (!item.submit) return { file: item.label, status: 'error', error: item.error };
      const base = { file: item.label, manual_id: item.submit.manual_id, job_id: item.submit.job_id };
      if (!wait || !item.submit.job_id) {
        item.progress.finish(`${item.submit.status} (manual ${item.submit.manual_id})`);
        return { ...base, status: item.submit.status };
      }
      try {
        const final = await waitForJob(ctx.api, item.submit.job_id, (s) => item.progress.ingestion(s));
        item.progress.finish(describe(final));
        return { ...base, status: final.status, ingestion: final, ...(final.status === 'failed' ? { error: (final.failure_reasons ?? []).join('; ') || 'ingestion failed' } : {}) };
      } catch (e) {
        item.progress.finish(`error: ${(e as Error).message}`);
        return { ...base, status: 'error', error: (e as Error).message };
      }
    }),
  );
}

export function summaryLines(results: FollowedResult[]): string[] {
  return results.map((r) => {
    if (r.status === 'error' || r.status === 'failed') return `${r.file}: ${r.status}: ${r.error}`;
    const detail = r.ingestion ? describe(r.ingestion) : r.status;
    return `${r.file}: ${detail} — manual ${r.manual_id}`;
  });
}
