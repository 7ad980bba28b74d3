import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import { buildPdf } from '../../../test/helpers/api-pdfs.js';
import { assemblePdf, decompressionBombPdf, javascriptPdf, objectCountBombPdf, objectStream, pdfWith } from '../../../test/helpers/threat-pdfs.js';
import { quarantineReason } from '../../core/ingest/pdf-threats.js';
import { DEFAULT_SCAN_LIMITS, PdfBombError, scanPdf, type ScanLimits } from './pdf-structure-scanner.js';

const MiB = 1024 * 1024;
const scan = (pdf: Buffer, limits: Partial<ScanLimits> = {}) => scanPdf(new Uint8Array(pdf), { ...DEFAULT_SCAN_LIMITS, ...limits });
const reasonOf = async (pdf: Buffer) => quarantineReason({ ...(await scan(pdf)), ms: 0 });
const bomb = (rule: string) => (e: unknown) => e instanceof PdfBombError && e.rule === rule;
const hasQpdf = ['/usr/bin/qpdf', '/usr/local/bin/qpdf'].some(existsSync);

describe('PDF structure scanner: active content', () => {
  it('finds nothing active in a plain text PDF, and counts its objects and pages', async () => {
    const r = await scan(buildPdf([['Page one'], ['Page two']]));
    assert.deepEqual(r.keywords, {});
    assert.equal(r.pages, 2);
    assert.equal(r.objects, 7);
    assert.equal(await reasonOf(buildPdf([['Page one']])), null);
  });

  it('flags JavaScript run by /OpenAction', async () => {
    const r = await scan(javascriptPdf());
    assert.deepEqual(r.keywords, { OpenAction: 1, JavaScript: 1, JS: 1 });
    assert.match((await reasonOf(javascriptPdf()))!, /JavaScript.*automatic actions \(\/OpenAction\)/);
  });

  it('decodes #xx escapes in names: /J#61vaScript and /#4A#53 are JavaScript', async () => {
    const pdf = pdfWith({ catalogExtra: '/O#70enAction 6 0 R', extra: ['<< /S /J#61vaScript /#4A#53 (app.alert\\(1\\)) >>'] });
    assert.deepEqual((await scan(pdf)).keywords, { OpenAction: 1, JavaScript: 1, JS: 1 });
  });

  it('looks inside compressed object streams (also behind ASCIIHexDecode)', async () => {
    const inStream = pdfWith({ catalogExtra: '/OpenAction 7 0 R', extra: [objectStream(['<< /S /JavaScript /JS (x) >>'], 7)] });
    assert.equal((await scan(inStream)).keywords.JavaScript, 1);
    const flate = deflateSync(Buffer.from('7 0 << /S /Launch /F (calc.exe) >>'));
    const hex = `${flate.toString('hex')}>`;
    const chained = pdfWith({ extra: [{ dict: '<< /Type /ObjStm /N 1 /First 4 /Filter [/AHx /Fl] >>', data: Buffer.from(hex) }] });
    const r = await scan(chained);
    assert.equal(r.keywords.Launch, 1);
    assert.equal(r.objects, 7, '6 top-level objects + 1 in the object stream');
  });

  it('flags embedded files, XFA forms, Launch, RichMedia, SubmitForm and ImportData', async () => {
    const pdf = pdfWith({
      catalogExtra: '/Names << /EmbeddedFiles 6 0 R >> /AcroForm << /XFA 7 0 R >>',
      extra: [
        '<< /Names [(a.exe) << /Type /Filespec /EF << /F 8 0 R >> >>] >>',
        '<< /Length 0 >>',
        { dict: '<< /Type /EmbeddedFile >>', data: Buffer.from('MZ') },
        '<< /S /Launch >>',
        '<< /Subtype /RichMedia >>',
        '<< /S /SubmitForm >>',
        '<< /S /ImportData >>',
      ],
    });
    const reason = (await reasonOf(pdf))!;
    for (const what of ['a Launch action', 'embedded files', 'an XFA form', 'rich media', 'sends data out', 'ImportData']) assert.ok(reason.includes(what), `${what} in: ${reason}`);
  });

  it('does not fire on the words inside strings, comments or page text, nor on /OpenAction alone', async () => {
    const pdf = pdfWith({
      catalogExtra: '/OpenAction [3 0 R /Fit] /Title (How to disable /JavaScript and /Launch) % /JS in a comment\n',
      text: ['Adobe Reader: turn off /JavaScript and /EmbeddedFiles in the preferences'],
    });
    const r = await scan(pdf);
    assert.deepEqual(r.keywords, { OpenAction: 1 });
    assert.equal(quarantineReason({ ...r, ms: 0 }), null, 'a destination on open is in most manuals');
  });

  it('marks an object stream it cannot open (encrypted or damaged) as not inspected', async () => {
    const pdf = pdfWith({ extra: [{ dict: '<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>', data: Buffer.from('\x8f\x13 not zlib at all') }] });
    const r = await scan(pdf);
    assert.equal(r.opaqueObjectStreams, 1);
    assert.match(quarantineReason({ ...r, ms: 0 })!, /could not be inspected/);
  });

  it('still flags JavaScript after qpdf recompresses the file into object streams', { skip: !hasQpdf && 'qpdf not installed' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manuel-qpdf-'));
    try {
      writeFileSync(join(dir, 'in.pdf'), javascriptPdf());
      execFileSync('qpdf', ['--object-streams=generate', '--compress-streams=y', join(dir, 'in.pdf'), join(dir, 'out.pdf')]);
      const out = readFileSync(join(dir, 'out.pdf'));
      assert.ok(!out.includes('/JavaScript'), 'qpdf hid the name inside a compressed object stream');
      const r = await scan(out);
      assert.ok((r.keywords.JavaScript ?? 0) >= 1 && (r.keywords.ObjStm ?? 0) >= 1, JSON.stringify(r.keywords));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PDF structure scanner: bombs', () => {
  it('rejects a stream that inflates past the per-stream cap (counted, never held)', async () => {
    await assert.rejects(scan(await decompressionBombPdf(8 * MiB), { maxStreamInflatedBytes: 4 * MiB }), bomb('decompression'));
  });

  it('accepts the same stream under the cap and reports what it inflates to', async () => {
    const r = await scan(await decompressionBombPdf(2 * MiB), { maxStreamInflatedBytes: 4 * MiB });
    assert.ok(r.inflatedBytes >= 2 * MiB);
  });

  it('skips images too small to break the per-stream cap on their own, and measures the others', async () => {
    const image = { dict: '<< /Type /XObject /Subtype /Image /Width 8192 /Height 8192 /Filter /FlateDecode >>', data: deflateSync(Buffer.alloc(8 * MiB)) };
    assert.equal((await scan(pdfWith({ extra: [image] }))).inflatedBytes, 0, 'text extraction never decodes it; rendering does one page at a time');
    await assert.rejects(scan(pdfWith({ extra: [image] }), { maxStreamInflatedBytes: 4 * MiB }), bomb('decompression'));
  });

  it('rejects many streams that together inflate past the total cap', async () => {
    const streams = Array.from({ length: 6 }, () => ({ dict: '<< /Filter /FlateDecode >>', data: deflateSync(Buffer.alloc(MiB)) }));
    await assert.rejects(scan(pdfWith({ extra: streams }), { maxTotalInflatedBytes: 4 * MiB }), bomb('decompression'));
  });

  it('rejects an object-count bomb packed in one object stream', async () => {
    const pdf = objectCountBombPdf(20_000);
    assert.ok(pdf.length < 100_000, `${pdf.length} bytes`);
    await assert.rejects(scan(pdf, { maxObjects: 10_000 }), bomb('object_count'));
    assert.equal((await scan(pdf)).objects, 20_006, "6 top-level objects + 20,000 packed ones");
  });

  it('rejects a page-count bomb, declared or real', async () => {
    const declared = assemblePdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 50000000 >>', '<< /Type /Page /Parent 2 0 R >>']);
    await assert.rejects(scan(declared), bomb('page_count'));
    const many = buildPdf(Array.from({ length: 30 }, (_, i) => [`page ${i}`]));
    await assert.rejects(scan(many, { maxPages: 20 }), bomb('page_count'));
  });

  it('rejects absurd nesting instead of recursing into it', async () => {
    const deep = pdfWith({ extra: [`${'['.repeat(5000)}${']'.repeat(5000)}`] });
    await assert.rejects(scan(deep), bomb('nesting'));
  });

  it('never fails on garbage other than with a bomb verdict (random bytes after the header)', async () => {
    let seed = 7;
    for (let round = 0; round < 5; round++) {
      const junk = Buffer.from(Array.from({ length: 100_000 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16 & 255));
      const r = await scan(Buffer.concat([Buffer.from('%PDF-1.4\n'), junk])).catch((e: unknown) => {
        if (e instanceof PdfBombError) return null;
        throw e;
      });
      if (r) assert.ok(Number.isInteger(r.objects));
    }
  });
});
