/**
 * Cost of reading PDFs in a worker thread (node dist/bench/pdf-read-worker.js): prints JSON. For
 * each eval manual, the median of 3 reads in this thread (UnpdfPdfReader) and in a fresh worker
 * (WorkerPdfReader: worker start and pdf.js load included), and how long this thread's event loop
 * was blocked (longest gap between 10 ms ticks) during each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { WorkerPdfReader } from '../src/adapters/embedded/worker-pdf-reader.js';
import type { PdfReader } from '../src/core/ports/pdf-reader.js';
import { evalManualsDir } from '../test/helpers/eval-manuals.js';

const RUNS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(reader: PdfReader, pdf: Uint8Array): Promise<{ ms: number; blockedMs: number }> {
  let last = performance.now();
  let blocked = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    blocked = Math.max(blocked, now - last - 10);
    last = now;
  }, 10);
  const t = performance.now();
  await reader.read(pdf);
  const ms = performance.now() - t;
  clearInterval(tick);
  blocked = Math.max(blocked, performance.now() - last - 10);
  return { ms: Math.round(ms), blockedMs: Math.round(blocked) };
}

async function main() {
  const dir = evalManualsDir();
  const inThread = new UnpdfPdfReader();
  const inWorker = new WorkerPdfReader();
  const rows = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.pdf')).sort()) {
    const pdf = new Uint8Array(readFileSync(join(dir, file)));
    const a: { ms: number; blockedMs: number }[] = [];
    const b: { ms: number; blockedMs: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      a.push(await measure(inThread, pdf));
      b.push(await measure(inWorker, pdf));
    }
    rows.push({
      file,
      mb: Math.round(pdf.length / 104857.6) / 10,
      in_thread_ms: median(a.map((x) => x.ms)),
      in_thread_loop_blocked_ms: median(a.map((x) => x.blockedMs)),
      worker_ms: median(b.map((x) => x.ms)),
      worker_loop_blocked_ms: median(b.map((x) => x.blockedMs)),
    });
  }
  process.stdout.write(JSON.stringify({ runs: RUNS, manuals: rows }, null, 2) + '\n');
}

await main();
