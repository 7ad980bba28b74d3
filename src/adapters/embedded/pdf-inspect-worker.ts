/** Worker thread body of WorkerPdfInspector: scans one PDF and posts the outcome. */
import { parentPort, workerData } from 'node:worker_threads';
import { PdfBombError, scanPdf, type ScanLimits } from './pdf-structure-scanner.js';

export type InspectOutcome =
  | { ok: true; result: Awaited<ReturnType<typeof scanPdf>> }
  | { ok: false; bomb: string; message: string }
  | { ok: false; error: string };

const { pdf, limits } = workerData as { pdf: Uint8Array; limits: ScanLimits };
scanPdf(pdf, limits).then(
  (result) => parentPort!.postMessage({ ok: true, result } satisfies InspectOutcome),
  (e: unknown) =>
    parentPort!.postMessage(
      (e instanceof PdfBombError ? { ok: false, bomb: e.rule, message: e.message } : { ok: false, error: e instanceof Error ? e.message : String(e) }) satisfies InspectOutcome,
    ),
);
