/**
 * Tiny real PDFs written by hand (correct xref offsets), for API tests that need a PDF with known
 * text per page, or a "scanned" one with drawings but no text operators at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './eval-manuals.js';

const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);

/** One entry per page: its lines of text, or null for a page with only a drawing (no text). */
export function buildPdf(pages: (string[] | null)[], opts: { encrypted?: boolean; paddingBytes?: number } = {}): Buffer {
  const objects: string[] = [];
  const add = (body: string) => objects.push(body);
  add('<< /Type /Catalog /Pages 2 0 R >>');
  add(''); // pages tree, filled in below
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const lines of pages) {
    const content = lines
      ? `BT /F1 12 Tf 14 TL 72 740 Td ${lines.map((l) => `(${esc(l)}) Tj T*`).join(' ')} ET`
      : '0.2 0.2 0.2 rg 72 400 300 200 re f 0.8 0.1 0.1 rg 100 450 120 80 re f';
    add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    const contentId = objects.length;
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentId} 0 R >>`);
    kids.push(objects.length);
  }
  if (opts.encrypted) {
    // Standard security handler with a user password we never reveal: readers must refuse it.
    const hex = (seed: number) => Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) & 255).toString(16).padStart(2, '0')).join('');
    add(`<< /Filter /Standard /V 1 /R 2 /O <${hex(7)}> /U <${hex(91)}> /P -44 >>`);
  }
  const encryptRef = opts.encrypted ? ` /Encrypt ${objects.length} 0 R /ID [<${'ab'.repeat(16)}> <${'ab'.repeat(16)}>]` : '';
  objects[1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;

  if (opts.paddingBytes) {
    // An embedded file's worth of bytes nobody draws (like a manual's fonts and images): size without pages.
    const pad = Buffer.alloc(opts.paddingBytes).fill('manual padding 0123456789 abcdefghij ').toString('latin1');
    add(`<< /Length ${opts.paddingBytes} >>\nstream\n${pad}\nendstream`);
  }
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encryptRef} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

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
