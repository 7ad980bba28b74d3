import cliProgress from 'cli-progress';
import type { ApiClient } from './api-client.js';
import type { IngestionStatus } from './api-types.js';
import { formatBytes } from './format.js';

/** Ingestion is done when the job reaches one of these. */
export const FINAL_STATUSES = new Set(['completed', 'failed']);

/** 0..100 from the status's `progress` (a percentage), else from its chunk counts. */
export function ingestionPercent(s: IngestionStatus): number | undefined {
  if (s.status === 'completed') return 100;
  const p = typeof s.progress === 'number' ? s.progress : typeof s.percent === 'number' ? (s.percent as number) : undefined;
  if (p !== undefined) return Math.max(0, Math.min(100, p));
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
 * One bar per file on a terminal: upload bytes, then ingestion stage and percent. Off a terminal it
 * stays quiet, so a script's stderr holds nothing but a failure's one line.
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
    if (this.multibar) process.once('SIGINT', this.onSigint);
  }

  /** Ctrl+C mid-upload: give the terminal its cursor back before leaving (the server keeps the job). */
  private readonly onSigint = () => {
    this.multibar?.stop();
    process.stderr.write('\nStopped waiting; ingestion goes on on the server (see `manuel manuals list`).\n');
    process.exit(130);
  };

  track(name: string): FileProgress {
    const shortName = name.length > 28 ? `${name.slice(0, 25)}...` : name.padEnd(28);
    const bar = this.multibar?.create(100, 0, { name: shortName, phase: 'waiting' });
    return {
      upload: (sent, total) => {
        bar?.update(total > 0 ? (sent / total) * 100 : 100, { phase: `uploading ${formatBytes(sent)} / ${formatBytes(total)}` });
        // The bars redraw on a timer: draw the finished upload now so a fast one is still shown.
        if (sent >= total) this.multibar?.update();
      },
      ingestion: (s) => bar?.update(ingestionPercent(s) ?? 0, { phase: ingestionStage(s) }),
      finish: (message) => bar?.update({ phase: message }),
    };
  }

  stop(): void {
    process.off('SIGINT', this.onSigint);
    this.multibar?.stop();
  }
}
