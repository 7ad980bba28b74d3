import { errors } from '../../core/errors.js';
import type { PdfInspection, PdfInspector } from '../../core/ports/pdf-inspector.js';
import { runOneShotWorker } from './one-shot-worker.js';
import type { InspectOutcome } from './pdf-inspect-worker.js';
import { DEFAULT_SCAN_LIMITS, type ScanLimits } from './pdf-structure-scanner.js';

export interface WorkerPdfInspectorOptions {
  /** Wall-clock budget of one inspection; past it the worker is terminated (default 30 s). */
  timeoutMs?: number;
  /** V8 heap of the worker (default 128 MB). Inflated data lives outside it and is capped by `limits`. */
  memoryMb?: number;
  limits?: Partial<ScanLimits>;
}

/**
 * Runs the structural scanner in a fresh worker thread per PDF, with a V8 heap limit and a hard
 * timeout. Whatever the file does to the scanner (loop, exhaust memory, crash), only that worker
 * dies: the server and other jobs go on, and the PDF is rejected.
 */
export class WorkerPdfInspector implements PdfInspector {
  private readonly timeoutMs: number;
  private readonly memoryMb: number;
  private readonly limits: ScanLimits;

  constructor(opts: WorkerPdfInspectorOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.memoryMb = opts.memoryMb ?? 128;
    this.limits = { ...DEFAULT_SCAN_LIMITS, ...opts.limits };
  }

  async inspect(pdf: Uint8Array): Promise<PdfInspection> {
    const started = Date.now();
    // workerData is copied: the caller keeps its bytes.
    const r = await runOneShotWorker<InspectOutcome>(new URL('./pdf-inspect-worker.js', import.meta.url), { pdf, limits: this.limits }, { timeoutMs: this.timeoutMs, memoryMb: this.memoryMb });
    if (!r.ok) {
      if (r.failure === 'timeout') throw errors.pdfBomb('inspection_timeout', `inspecting the PDF took longer than ${this.timeoutMs} ms`);
      if (r.failure === 'memory') throw errors.pdfBomb('inspection_memory', `inspecting the PDF needed more than ${this.memoryMb} MB`);
      throw errors.invalidPdf(`The PDF could not be inspected: ${r.detail}`.slice(0, 300));
    }
    const m = r.message;
    if (m.ok) return { ...m.result, ms: Date.now() - started };
    if ('bomb' in m) throw errors.pdfBomb(m.bomb, m.message);
    throw errors.invalidPdf(`The PDF could not be inspected: ${m.error}`.slice(0, 300));
  }
}
