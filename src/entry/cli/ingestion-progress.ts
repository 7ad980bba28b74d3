import cliProgress from 'cli-progress';
import type { ApiClient } from './api-client.js';
import type { IngestionStatus } from './api-types.js';
import { formatBytes } from './format.js';

/** Ingestion is done when the job reaches one of these. */
export const FINAL_STATUSES = new Set(['completed', 'failed']);

/** 0..100 from whatever progress the status carries (a 0..1 or 0..100 figure, or chunk counts). */
export function ingestionPercent(s: IngestionStatus): number | undefined {
  if (s.status === 'completed') return 100;
  const p = typeof s.progress === 'number' ? s.progress : typeof s.percent === 'number' ? (s.percent as number) : undefined;
  if (p !== undefined) return Math.max(0, Math.min(100, p <= 1 ? p * 100 : p));
  const st = s.statistics ?? {};
  const chunks = st.chunks ?? st.chunks_total;
  const embedded = st.embedded_chunks ?? st.chunks_embedded;
  if (chunks && embedded !== undefined) return Math.min(100, (embedded / chunks) * 100);
  return undefined;
}

export function ingestionStage(s: IngestionStatus): string {
  return s.stage && s.stage !== s.status ? `${s.status}: ${s.stage}` : s.status;
}

export async function waitForJob(api: ApiClient, jobId: string, onStatus: (s: IngestionStatus) => void, intervalMs = 400): Promise<IngestionStatus> {
  for (;;) {
    const s = await api.request<IngestionStatus>('GET', '/api/ingestion/status', { query: { job_id: jobId } });
    onStatus(s);
    if (FINAL_STATUSES.has(s.status)) return s;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface FileProgress {
  upload(sent: number, total: number): void;
  ingestion(s: IngestionStatus): void;
  finish(message: string): void;
}

/**
 * One bar per file on a terminal (upload bytes, then ingestion stage and percent); on a pipe, one
 * line per phase change so logs stay readable.
 */
export class ProgressDisplay {
  private readonly multibar: cliProgress.MultiBar | undefined;

  constructor(live = Boolean(process.stderr.isTTY)) {
    this.multibar = live
      ? new cliProgress.MultiBar(
          { format: '{name} |{bar}| {percentage}% {phase}', hideCursor: true, clearOnComplete: false, stopOnComplete: false, barsize: 30, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  }

  track(name: string): FileProgress {
    const shortName = name.length > 28 ? `${name.slice(0, 25)}...` : name.padEnd(28);
    const bar = this.multibar?.create(100, 0, { name: shortName, phase: 'waiting' });
    let lastPhase = '';
    const say = (phase: string) => {
      if (phase === lastPhase) return;
      lastPhase = phase;
      if (!bar) process.stderr.write(`${name}: ${phase}\n`);
    };
    return {
      upload: (sent, total) => {
        const pct = total > 0 ? (sent / total) * 100 : 100;
        bar?.update(pct, { phase: `uploading ${formatBytes(sent)} / ${formatBytes(total)}` });
        say(sent >= total ? `uploaded ${formatBytes(total)}` : 'uploading');
      },
      ingestion: (s) => {
        const phase = ingestionStage(s);
        bar?.update(ingestionPercent(s) ?? 0, { phase });
        say(phase);
      },
      finish: (message) => {
        bar?.update({ phase: message });
        if (!bar) process.stderr.write(`${name}: ${message}\n`);
      },
    };
  }

  stop(): void {
    this.multibar?.stop();
  }
}
