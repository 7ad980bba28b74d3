/**
 * Tiny real PDFs written by hand (Helvetica text operators, correct xref offsets): the check's own
 * manual (`manuel check`) and the API tests' PDFs with known text per page. A page of `null` has only
 * a drawing (what a scan without OCR looks like to a text extractor); `encrypted` adds a standard
 * security handler with a user password nobody knows (readers must refuse it); `paddingBytes` an undrawn
 * stream of that size (a big manual without many pages).
 */

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
