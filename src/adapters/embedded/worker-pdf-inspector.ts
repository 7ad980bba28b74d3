import { Worker } from 'node:worker_threads';
import { errors } from '../../core/errors.js';
import type { PdfInspection, PdfInspector } from '../../core/ports/pdf-inspector.js';
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

  inspect(pdf: Uint8Array): Promise<PdfInspection> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      let settled = false;
      const worker = new Worker(new URL('./pdf-inspect-worker.js', import.meta.url), {
        workerData: { pdf, limits: this.limits }, // copied: the caller keeps its bytes
        resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: Math.min(32, this.memoryMb), stackSizeMb: 4 },
      });
      const finish = (err: Error | null, value?: PdfInspection) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        if (err) reject(err);
        else resolve(value!);
      };
      const timer = setTimeout(
        () => finish(errors.pdfBomb('inspection_timeout', `inspecting the PDF took longer than ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      worker.on('message', (m: InspectOutcome) => {
        if (m.ok) finish(null, { ...m.result, ms: Date.now() - started });
        else if ('bomb' in m) finish(errors.pdfBomb(m.bomb, m.message));
        else finish(errors.invalidPdf(`The PDF could not be inspected: ${m.error}`.slice(0, 300)));
      });
      worker.on('error', (e: Error & { code?: string }) => {
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(errors.pdfBomb('inspection_memory', `inspecting the PDF needed more than ${this.memoryMb} MB`));
        else finish(errors.invalidPdf(`The PDF could not be inspected: ${e.message}`.slice(0, 300)));
      });
      worker.on('exit', (code) => finish(errors.invalidPdf(`The PDF inspector stopped (exit ${code})`)));
    });
  }
}
