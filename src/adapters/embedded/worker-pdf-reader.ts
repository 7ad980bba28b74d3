import { ErrorCodes, errors, ManuelError, type ErrorCode } from '../../core/errors.js';
import type { PageText } from '../../core/model/types.js';
import type { PdfInfo, PdfReader } from '../../core/ports/pdf-reader.js';
import { runOneShotWorker } from './one-shot-worker.js';
import type { ReadOutcome } from './pdf-read-worker.js';

export interface WorkerPdfReaderOptions {
  /** Wall-clock budget of one PDF (default 5 min: the largest eval manual takes ~10 s on a busy machine). */
  timeoutMs?: number;
  /**
   * V8 heap of the worker (default 128 MB). The largest eval manual (303 pages, 24 MB) reads at full
   * speed in 64 MB, slows down threefold in 32 MB (garbage collection) and fails in 16 MB.
   */
  memoryMb?: number;
}

/**
 * The PDF's text read by pdf.js (UnpdfPdfReader) in a fresh worker thread per PDF, with a heap cap
 * and a timeout. pdf.js holds the whole document's objects, fonts and text while it works, and a
 * V8 heap that has grown for a 24 MB manual does not shrink back: in the server's own thread
 * that memory stayed for the life of the process. In a worker it is returned when the worker
 * ends, and a PDF that needs more than the cap fails alone (pdf_bomb) instead of the server.
 */
export class WorkerPdfReader implements PdfReader {
  private readonly timeoutMs: number;
  private readonly memoryMb: number;

  constructor(opts: WorkerPdfReaderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000;
    this.memoryMb = opts.memoryMb ?? 128;
  }

  async read(pdf: Uint8Array): Promise<{ info: PdfInfo; pages: PageText[] }> {
    // workerData is copied: the caller keeps its bytes.
    const r = await runOneShotWorker<ReadOutcome>(new URL('./pdf-read-worker.js', import.meta.url), { pdf }, { timeoutMs: this.timeoutMs, memoryMb: this.memoryMb });
    if (!r.ok) {
      if (r.failure === 'timeout') throw errors.pdfBomb('extraction_timeout', `reading the PDF's text took longer than ${this.timeoutMs} ms`);
      if (r.failure === 'memory') throw errors.pdfBomb('extraction_memory', `reading the PDF's text needed more than ${this.memoryMb} MB`);
      throw errors.invalidPdf(`The PDF could not be read: ${r.detail}`.slice(0, 300));
    }
    const m = r.message;
    if (m.ok) return { info: m.info, pages: m.pages };
    // invalid_pdf, encrypted_pdf, no_text... as the reader threw them in the worker.
    throw ErrorCodes.includes(m.code as ErrorCode) ? new ManuelError(m.code as ErrorCode, m.message) : errors.invalidPdf(m.message.slice(0, 300));
  }
}
