import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPdf, corruptPdf, encryptedPdf, fanOutPdf } from '../../../test/helpers/api-pdfs.js';
import { ManuelError } from '../../core/errors.js';
import { UnpdfPdfReader } from './unpdf-pdf-reader.js';
import { WorkerPdfInspector } from './worker-pdf-inspector.js';
import { WorkerPdfReader } from './worker-pdf-reader.js';

const coded = (code: string) => (e: unknown) => e instanceof ManuelError && e.code === code;

describe('WorkerPdfReader', () => {
  it('reads what UnpdfPdfReader reads, page by page with labels', async () => {
    const pdf = new Uint8Array(buildPdf([['Router guide', 'Press reset for ten seconds.'], ['Second page']]));
    const inWorker = await new WorkerPdfReader().read(pdf);
    assert.deepEqual(inWorker, await new UnpdfPdfReader().read(pdf));
    assert.equal(inWorker.pages[1]!.text, 'Second page');
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-', 'the caller keeps its bytes');
  });

  it('keeps the codes of unreadable PDFs (permanent failures)', async () => {
    await assert.rejects(new WorkerPdfReader().read(new Uint8Array(corruptPdf())), coded('invalid_pdf'));
    await assert.rejects(new WorkerPdfReader().read(new Uint8Array(encryptedPdf())), coded('encrypted_pdf'));
  });

  it('the fan-out fixture passes the upload inspection but never finishes its page: pdf_timeout, and this process stays responsive', async () => {
    const pdf = new Uint8Array(fanOutPdf());
    const inspection = await new WorkerPdfInspector().inspect(pdf);
    assert.deepEqual(inspection.keywords, {}, 'nothing the inspector quarantines or rejects');
    let ticks = 0;
    const tick = setInterval(() => ticks++, 20);
    const t = Date.now();
    try {
      await assert.rejects(new WorkerPdfReader({ stallTimeoutMs: 1000 }).read(pdf), (e: unknown) => coded('pdf_timeout')(e) && (e as ManuelError).details?.timeout_ms === 1000);
    } finally {
      clearInterval(tick);
    }
    const ms = Date.now() - t;
    assert.ok(ms >= 1000 && ms < 10_000, `gave up after ${ms} ms`);
    assert.ok(ticks >= 20, `the event loop kept running while the worker spun (${ticks} ticks)`);
    // And the next PDF is read normally.
    assert.equal((await new WorkerPdfReader().read(new Uint8Array(buildPdf([['After the stall']])))).pages[0]!.text, 'After the stall');
  });

  it('a worker out of heap is a transient failure (not a coded PDF error), and the process lives on', async () => {
    await assert.rejects(new WorkerPdfReader({ memoryMb: 1 }).read(new Uint8Array(buildPdf([['x']]))), (e: unknown) => !(e instanceof ManuelError) && /PDF reader/.test((e as Error).message));
  });
});
