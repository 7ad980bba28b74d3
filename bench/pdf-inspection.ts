/**
 * Cost of the upload threat inspection per manual (node dist/bench/pdf-inspection.js): prints JSON.
 * For each eval manual: wall time of WorkerPdfInspector.inspect (worker start included; best and
 * median of 5 runs), the in-thread scan alone, and the same manual's text extraction for scale.
 * Also the time to reject a 1.1 GB decompression bomb and a 600,000-object bomb.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { scanPdf } from '../src/adapters/embedded/pdf-structure-scanner.js';
import { WorkerPdfInspector } from '../src/adapters/embedded/worker-pdf-inspector.js';
import { evalManualsDir } from '../test/helpers/eval-manuals.js';
import { decompressionBombPdf, objectCountBombPdf } from '../test/helpers/threat-pdfs.js';

const RUNS = 5;
const ms = (t: bigint) => Math.round(Number(process.hrtime.bigint() - t) / 1e5) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T | Error }> {
  const t = process.hrtime.bigint();
  const value = await f().catch((e: Error) => e);
  return { ms: ms(t), value };
}

async function main() {
  const inspector = new WorkerPdfInspector();
  const reader = new UnpdfPdfReader();
  const dir = evalManualsDir();
  const manuals = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort()) {
    const pdf = new Uint8Array(readFileSync(join(dir, file)));
    const worker: number[] = [];
    const inThread: number[] = [];
    let found: unknown;
    for (let i = 0; i < RUNS; i++) {
      const w = await timed(() => inspector.inspect(pdf));
      worker.push(w.ms);
      found = w.value;
      inThread.push((await timed(() => scanPdf(pdf))).ms);
    }
    const extract = await timed(() => reader.read(pdf));
    const r = found as Awaited<ReturnType<typeof inspector.inspect>>;
    manuals.push({
      file,
      mb: Math.round(pdf.length / 104857.6) / 10,
      pages: r.pages,
      objects: r.objects,
      streams: r.streams,
      inflated_mb: Math.round(r.inflatedBytes / 104857.6) / 10,
      keywords: r.keywords,
      inspect_ms_best: Math.min(...worker),
      inspect_ms_median: median(worker),
      scan_in_thread_ms_median: median(inThread),
      text_extraction_ms: extract.ms,
      inspect_share_of_extraction: Math.round((median(worker) / extract.ms) * 1000) / 10 + ' %',
    });
  }
  const bomb = await decompressionBombPdf(1.1 * 1024 ** 3);
  const rejectBomb = await timed(() => inspector.inspect(new Uint8Array(bomb)));
  const objects = objectCountBombPdf(600_000);
  const rejectObjects = await timed(() => inspector.inspect(new Uint8Array(objects)));
  const outcome = (v: unknown) => (v instanceof Error ? `${(v as { code?: string }).code}: ${v.message}` : 'accepted');
  console.log(
    JSON.stringify(
      {
        runs: RUNS,
        manuals,
        decompression_bomb: { file_kb: Math.round(bomb.length / 1024), inflates_to_gb: 1.1, reject_ms: rejectBomb.ms, outcome: outcome(rejectBomb.value) },
        object_count_bomb: { file_kb: Math.round(objects.length / 1024), objects: 600_000, reject_ms: rejectObjects.ms, outcome: outcome(rejectObjects.value) },
      },
      null,
      2,
    ),
  );
}

await main();
