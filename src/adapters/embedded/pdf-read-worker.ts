/** Worker thread body of WorkerPdfReader: reads one PDF, posting a message after each page. */
import { parentPort, workerData } from 'node:worker_threads';
import { isManuelError } from '../../core/errors.js';
import { UnpdfPdfReader } from './unpdf-pdf-reader.js';

export type ReadMessage =
  | { progress: number }
  | { ok: true; result: Awaited<ReturnType<UnpdfPdfReader['read']>> }
  | { ok: false; code: string | null; message: string; details?: Record<string, unknown> };

const post = (m: ReadMessage) => parentPort!.postMessage(m);
const { pdf } = workerData as { pdf: Uint8Array };
// The bytes are this worker's own copy: pdf.js may take them without a second copy.
new UnpdfPdfReader({ onPage: (n) => post({ progress: n }), copyInput: false }).read(pdf).then(
  (result) => post({ ok: true, result }),
  (e: unknown) =>
    post(
      isManuelError(e)
        ? { ok: false, code: e.code, message: e.message, details: e.details }
        : { ok: false, code: null, message: e instanceof Error ? e.message : String(e) },
    ),
);
