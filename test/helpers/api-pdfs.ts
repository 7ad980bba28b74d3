/**
 * Tiny real PDFs written by hand (correct xref offsets), for API tests that need a PDF with known
 * text per page, or a "scanned" one with drawings but no text operators at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPdf } from '../../src/core/pdf/build-pdf.js';
import { repoRoot } from './eval-manuals.js';

export { buildPdf };

/** A valid PDF of about `bytes` bytes with known text: a big manual for the direct-upload tests. */
export const bigPdf = (bytes: number, pages: string[][]) => buildPdf(pages, { paddingBytes: Math.max(0, bytes - 4096) });

/** A PDF whose pages have only drawings: what a scan without OCR looks like to a text extractor. */
export const scannedPdf = () => buildPdf([null, null]);

/** Password-protected: the text is there but only with a password the test never gives. */
export const encryptedPdf = () => buildPdf([['Secret page one'], ['Secret page two']], { encrypted: true });

/** Starts like a PDF, then garbage: the reader must fail on it. */
export const corruptPdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R'), Buffer.alloc(2000, 0x17)]);

/**
 * test/fixtures/pdf/form-xobject-fanout.pdf: 8 KB, one page, no threat keyword (the upload
 * inspector accepts it), whose form XObjects each draw the one below twice, 40 levels deep: a text
 * extractor without a cache of form text walks 2^40 leaves, so pdf.js never finishes the page.
 */
export const fanOutPdf = () => readFileSync(join(repoRoot, 'test', 'fixtures', 'pdf', 'form-xobject-fanout.pdf'));

/**
 * A two-page printer manual (toner, paper jams). With `model`, different bytes per model: the same
 * file uploaded twice would be recognised, not ingested again.
 */
export const printerPdf = (model?: string | number) =>
  buildPdf([
    ['Replacing the toner', `Open the front door and pull the toner cartridge out by its blue handle${model === undefined ? '' : ` (model ${model})`}.`],
    ['Paper jams', 'Remove jammed paper from tray two by pulling it slowly towards you.'],
  ]);
