import { Worker } from 'node:worker_threads';
import { errors, ErrorCodes, ManuelError, type ErrorCode } from '../../core/errors.js';
import type { PageText } from '../../core/model/types.js';
import type { PdfInfo, PdfReader } from '../../core/ports/pdf-reader.js';
import type { ReadMessage } from './pdf-read-worker.js';

export interface WorkerPdfReaderOptions {
  /** Longest wait for the document to open or for the next page; past it the worker is terminated (default 30 s). */
  stallTimeoutMs?: number;
  /**
   * V8 heap of the worker (default 128 MB). The largest eval manual (303 pages, 24 MB) reads at full
   * speed in 64 MB, slows down threefold in 32 MB (garbage collection) and fails in 16 MB (ADR 0018).
   */
  memoryMb?: number;
}

const isCode = (c: string | null): c is ErrorCode => c !== null && (ErrorCodes as readonly string[]).includes(c);

/**
 * UnpdfPdfReader in a fresh worker thread per PDF. pdf.js runs synchronously for as long as a page
 * takes, so a page built to take for ever (form XObjects drawing each other twice, 2^n times) would
 * block the whole process: here only the worker spins, and it is terminated when no page completes
 * within `stallTimeoutMs` (pdf_timeout, retried like any transient failure, then dead-lettered).
 * Costs a worker start (~0.1 s) per manual; the server stays responsive while big manuals are read.
 */
export class WorkerPdfReader implements PdfReader {
  private readonly stallTimeoutMs: number;
  private readonly memoryMb: number;

  constructor(opts: WorkerPdfReaderOptions = {}) {
    this.stallTimeoutMs = opts.stallTimeoutMs ?? 30_000;
    this.memoryMb = opts.memoryMb ?? 128;
  }

  read(pdf: Uint8Array): Promise<{ info: PdfInfo; pages: PageText[] }> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const worker = new Worker(new URL('./pdf-read-worker.js', import.meta.url), {
        workerData: { pdf }, // copied: the caller keeps its bytes
        resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: Math.min(32, this.memoryMb), stackSizeMb: 4 },
      });
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(errors.pdfTimeout(this.stallTimeoutMs)), this.stallTimeoutMs);
      };
      const finish = (err: Error | null, value?: { info: PdfInfo; pages: PageText[] }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        if (err) reject(err);
        else resolve(value!);
      };
      arm();
      worker.on('message', (m: ReadMessage) => {
        if ('progress' in m) arm();
        else if (m.ok) finish(null, m.result);
        else finish(isCode(m.code) ? new ManuelError(m.code, m.message, m.details) : new Error(`The PDF reader failed: ${m.message}`));
      });
      worker.on('error', (e: Error & { code?: string }) => {
        // A PDF that needs more than the cap fails alone, for good (pdf_bomb), not the server.
        if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(errors.pdfBomb('extraction_memory', `reading the PDF's text needed more than ${this.memoryMb} MB`));
        else finish(new Error(`The PDF reader crashed: ${e.message}`));
      });
      worker.on('exit', (code) => finish(new Error(`The PDF reader stopped (exit ${code})`)));
    });
  }
}
