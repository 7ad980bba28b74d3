/** Worker thread body of WorkerPdfReader: reads one PDF's text and posts the outcome. */
import { parentPort, workerData } from 'node:worker_threads';
import { isManuelError } from '../../core/errors.js';
import type { PdfInfo } from '../../core/ports/pdf-reader.js';
import type { PageText } from '../../core/model/types.js';
import { UnpdfPdfReader } from './unpdf-pdf-reader.js';

export type ReadOutcome = { ok: true; info: PdfInfo; pages: PageText[] } | { ok: false; code: string; message: string };

const { pdf } = workerData as { pdf: Uint8Array };
// The bytes are this worker's own copy: pdf.js may take them without a second copy.
new UnpdfPdfReader({ copyInput: false }).read(pdf).then(
  ({ info, pages }) => parentPort!.postMessage({ ok: true, info, pages } satisfies ReadOutcome),
  (e: unknown) =>
    parentPort!.postMessage(
      (isManuelError(e) ? { ok: false, code: e.code, message: e.message } : { ok: false, code: 'invalid_pdf', message: e instanceof Error ? e.message : String(e) }) satisfies ReadOutcome,
    ),
);
