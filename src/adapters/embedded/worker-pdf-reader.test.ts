import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildPdf, encryptedPdf } from '../../../test/helpers/api-pdfs.js';
import { evalManualsDir } from '../../../test/helpers/eval-manuals.js';
import { ManuelError } from '../../core/errors.js';
import { UnpdfPdfReader } from './unpdf-pdf-reader.js';
import { WorkerPdfReader } from './worker-pdf-reader.js';

const coded = (code: string, reason?: string) => (e: unknown) => e instanceof ManuelError && e.code === code && (reason === undefined || e.details?.reason === reason);

describe('WorkerPdfReader (pdf.js in a worker thread per PDF)', () => {
  const reader = new WorkerPdfReader();

  it('reads a real manual exactly as in the main thread, and the caller keeps its bytes', async () => {
    const pdf = new Uint8Array(readFileSync(join(evalManualsDir(), 'expeyes17-user-manual.pdf')));
    const inWorker = await reader.read(pdf);
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-', 'not detached by the transfer');
    const inMain = await new UnpdfPdfReader().read(pdf);
    assert.equal(inWorker.pages.length, 107);
    assert.deepEqual(inWorker, inMain);
  });

  it('passes the reader errors through with their codes', async () => {
    await assert.rejects(reader.read(new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4000)]))), coded('invalid_pdf'));
    await assert.rejects(reader.read(new Uint8Array(encryptedPdf())), coded('encrypted_pdf'));
    await assert.rejects(reader.read(new Uint8Array(0)), coded('invalid_pdf'));
  });

  it('a PDF over the heap cap fails alone (pdf_bomb extraction_memory); the next one reads normally', async () => {
    // 4 MB of heap cannot hold pdf.js and a 44-page manual: the worker dies of OOM, only the worker.
    const pdf = new Uint8Array(readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf')));
    await assert.rejects(new WorkerPdfReader({ memoryMb: 4 }).read(pdf), coded('pdf_bomb', 'extraction_memory'));
    assert.equal((await reader.read(pdf)).pages.length, 44);
  });

  it('a read over its time budget is stopped (pdf_bomb extraction_timeout)', async () => {
    const pdf = new Uint8Array(buildPdf([['One page of text']]));
    await assert.rejects(new WorkerPdfReader({ timeoutMs: 1 }).read(pdf), coded('pdf_bomb', 'extraction_timeout'));
    assert.equal((await reader.read(pdf)).pages[0]!.text, 'One page of text');
  });
});
