/**
 * Hand-written PDFs that carry threats (JavaScript, embedded files, bombs), with correct xref
 * offsets so real readers open them. Objects are given as their bodies (`<< ... >>`, or a dict plus
 * `stream` data as a Buffer); object n is objects[n-1].
 */
import { constants, createDeflate, deflateSync } from 'node:zlib';

export type PdfObject = string | { dict: string; data: Buffer };

export function assemblePdf(objects: PdfObject[], opts: { root?: number; trailer?: string } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = parts[0]!.length;
  const offsets: number[] = [];
  const push = (b: Buffer) => {
    parts.push(b);
    size += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(size);
    if (typeof o === 'string') push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1'));
    else {
      const dict = o.dict.replace(/>>\s*$/, ` /Length ${o.data.length} >>`);
      push(Buffer.from(`${i + 1} 0 obj\n${dict}\nstream\n`, 'latin1'));
      push(o.data);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    }
  });
  let xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) xref += `${String(o).padStart(10, '0')} 00000 n \n`;
  xref += `trailer\n<< /Size ${objects.length + 1} /Root ${opts.root ?? 1} 0 R ${opts.trailer ?? ''}>>\nstartxref\n${size}\n%%EOF\n`;
  push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

/** A one-page PDF with readable text, plus whatever the catalog and extra objects add. */
export function pdfWith(opts: { catalogExtra?: string; extra?: PdfObject[]; text?: string[] } = {}): Buffer {
  const lines = opts.text ?? ['Router guide', 'Press the reset button for ten seconds to restore the factory settings.'];
  const content = `BT /F1 12 Tf 14 TL 72 740 Td ${lines.map((l) => `(${l}) Tj T*`).join(' ')} ET`;
  return assemblePdf([
    `<< /Type /Catalog /Pages 2 0 R ${opts.catalogExtra ?? ''}>>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    { dict: '<< >>', data: Buffer.from(content, 'latin1') },
    ...(opts.extra ?? []),
  ]);
}

/** JavaScript run when the document opens (the classic malicious-PDF shape). */
export const javascriptPdf = () => pdfWith({ catalogExtra: '/OpenAction 6 0 R', extra: ['<< /Type /Action /S /JavaScript /JS (app.alert\\("hi"\\)) >>'] });

/** An object stream (PDF 1.5) holding the given objects, numbered from `firstNumber`. */
export function objectStream(bodies: string[], firstNumber: number, filter: 'flate' | 'none' = 'flate'): PdfObject {
  let header = '';
  let body = '';
  bodies.forEach((b, i) => {
    header += `${firstNumber + i} ${body.length} `;
    body += `${b}\n`;
  });
  const raw = Buffer.from(header + body, 'latin1');
  const dict = `<< /Type /ObjStm /N ${bodies.length} /First ${Buffer.byteLength(header)}${filter === 'flate' ? ' /Filter /FlateDecode' : ''} >>`;
  return { dict, data: filter === 'flate' ? deflateSync(raw) : raw };
}

/** A Flate stream of zeros that inflates to `inflatedBytes`, deflated chunk by chunk (never held inflated). */
export async function zeroBombStream(inflatedBytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = inflatedBytes; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    if (!deflate.write(piece)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** A page whose content stream is a decompression bomb. */
export async function decompressionBombPdf(inflatedBytes: number): Promise<Buffer> {
  const bomb = await zeroBombStream(inflatedBytes);
  return pdfWith({ extra: [{ dict: '<< /Filter /FlateDecode >>', data: bomb }] });
}

/** `count` tiny objects packed in one compressed object stream: a small file, a huge object table. */
export function objectCountBombPdf(count: number): Buffer {
  return pdfWith({ extra: [objectStream(Array.from({ length: count }, () => 'null'), 7)] });
}
