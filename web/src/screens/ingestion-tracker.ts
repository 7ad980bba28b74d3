import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/http-client';
import type { Accepted, JobStatus } from '../api/types';
import { failureReason, friendlyError } from '../lib/friendly-error';

export interface Tracked {
  key: string;
  name: string;
  phase: 'uploading' | 'queued' | 'processing' | 'completed' | 'failed';
  progress: number; // upload 0..1
  detail: string;
  jobId?: string;
  manualId?: string;
}

const POLL_MS = 1000;
let seq = 0;

function describe(job: JobStatus): string {
  const st = job.statistics ?? {};
  if (job.status === 'failed') return 'Failed: ' + ((job.failure_reasons ?? []).map(failureReason).join('; ') || 'unknown reason');
  if (job.status === 'completed') return `Ready${st.pages ? ` · ${st.pages} pages` : ''}${st.chunks ? ` · ${st.chunks} passages` : ''}`;
  const stage = job.stage && job.stage !== job.status ? ` (${job.stage})` : '';
  return job.status === 'queued' ? 'Waiting to be read…' : `Reading the manual${stage}…`;
}

/** Uploads and imports in progress, each followed by polling /api/ingestion/status until it ends. */
export function useIngestionTracker(onSettled: () => void) {
  const [items, setItems] = useState<Tracked[]>([]);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const patch = (key: string, p: Partial<Tracked>) => alive.current && setItems((all) => all.map((t) => (t.key === key ? { ...t, ...p } : t)));

  const follow = async (key: string, jobId: string) => {
    for (;;) {
      if (!alive.current) return;
      try {
        const job = await api<JobStatus>(`/api/ingestion/status?job_id=${encodeURIComponent(jobId)}`);
        const phase = job.status === 'completed' || job.status === 'failed' ? job.status : job.status === 'queued' ? 'queued' : 'processing';
        patch(key, { phase, detail: describe(job) });
        if (phase === 'completed' || phase === 'failed') return onSettled();
      } catch (e) {
        patch(key, { detail: friendlyError(e) + ' Retrying…' });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };

  /** Tracks one submission: `start` performs the request and reports upload progress. */
  const track = async (name: string, start: (onProgress: (f: number) => void) => Promise<Accepted>) => {
    const key = `t${++seq}`;
    setItems((all) => [{ key, name, phase: 'uploading', progress: 0, detail: 'Uploading…' }, ...all]);
    try {
      const acc = await start((f) => patch(key, { progress: f }));
      patch(key, { phase: 'queued', progress: 1, jobId: acc.job_id, manualId: acc.manual_id, detail: acc.duplicate ? 'Already uploaded' : 'Waiting to be read…' });
      onSettled(); // the manual is listed as soon as it is accepted
      await follow(key, acc.job_id);
    } catch (e) {
      patch(key, { phase: 'failed', detail: friendlyError(e, 'upload') });
    }
  };

  const dismiss = (key: string) => setItems((all) => all.filter((t) => t.key !== key));
  return { items, track, dismiss };
}
