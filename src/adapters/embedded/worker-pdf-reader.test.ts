import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evalManualsDir } from '../../../test/helpers/eval-manuals.js';
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

  it('reads a real manual exactly as in the main thread', async () => {
    const pdf = new Uint8Array(readFileSync(join(evalManualsDir(), 'expeyes17-user-manual.pdf')));
    const inWorker = await new WorkerPdfReader().read(pdf);
    assert.equal(inWorker.pages.length, 107);
    assert.deepEqual(inWorker, await new UnpdfPdfReader().read(pdf));
  });

  it('a PDF over the heap cap fails alone (pdf_bomb extraction_memory); the next one reads normally', async () => {
    // 4 MB of heap cannot hold pdf.js and a 44-page manual: the worker dies of OOM, only the worker.
    const pdf = new Uint8Array(readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf')));
    await assert.rejects(new WorkerPdfReader({ memoryMb: 4 }).read(pdf), (e: unknown) => e instanceof ManuelError && e.code === 'pdf_bomb' && e.details?.reason === 'extraction_memory');
    assert.equal((await new WorkerPdfReader().read(pdf)).pages.length, 44);
  });
});
