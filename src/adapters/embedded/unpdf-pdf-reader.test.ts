import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildPdf, encryptedPdf } from '../../../test/helpers/api-pdfs.js';
import { evalManualsDir } from '../../../test/helpers/eval-manuals.js';
import { ManuelError } from '../../core/errors.js';
import { UnpdfPdfReader } from './unpdf-pdf-reader.js';

const textPdf = (lines: string[]) => new Uint8Array(buildPdf([lines]));
const blankPdf = () => new Uint8Array(buildPdf([null])); // a drawing, no text: a scan

async function rejects(data: Uint8Array, code: string) {
  await assert.rejects(new UnpdfPdfReader().read(data), (e: unknown) => e instanceof ManuelError && e.code === code);
}

describe('UnpdfPdfReader', () => {
  const reader = new UnpdfPdfReader();

  it('reads text and keeps the caller buffer intact', async () => {
    const pdf = textPdf(['Hello manual reader', 'Second line 49152-50175']);
    const { info, pages } = await reader.read(pdf);
    assert.equal(info.pages, 1);
    assert.equal(pages[0]!.pageNumber, 1);
    assert.equal(pages[0]!.text, 'Hello manual reader\nSecond line 49152-50175');
    assert.equal(pdf.byteLength > 0, true);
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-');
  });

  it('returns pages with empty text for a PDF without text', async () => {
    const { pages } = await reader.read(blankPdf());
    assert.deepEqual(pages, [{ pageNumber: 1, label: null, text: '' }]);
  });

  it('rejects corrupt, truncated and encrypted input with coded errors', async () => {
    await rejects(new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(4000)])), 'invalid_pdf');
    const real = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));
    await rejects(new Uint8Array(real.subarray(0, Math.floor(real.length / 3))), 'invalid_pdf');
    await rejects(new Uint8Array(0), 'invalid_pdf');
    await rejects(new Uint8Array(encryptedPdf()), 'encrypted_pdf');
  });

  it('reads the real manuals with physical page numbers and printed labels', async () => {
    const dir = evalManualsDir();
    const read = async (f: string) => reader.read(new Uint8Array(readFileSync(join(dir, f))));
    const ey = await read('expeyes17-user-manual.pdf');
    assert.equal(ey.pages.length, 107);
    assert.equal(ey.pages[6]!.label, '1');
    assert.equal(ey.pages[6]!.pageNumber, 7);
    // Ligatures are normalised (NFKC): no "ﬁ" left anywhere.
    assert.ok(ey.pages.every((p) => !/[\uFB00-\uFB06]/.test(p.text)));
    const fbx = await read('freedombox-manual.pdf');
    assert.equal(fbx.pages.length, 303);
    assert.equal(fbx.pages[25]!.label, '1');
    // Wrapped code lines (`←-`) are joined back into one command.
    assert.match(fbx.pages[37]!.text, /--recv-keys 7D6ADB750F91085589484BE677C0C75E7B650808/);
    assert.match(fbx.pages[46]!.text, /UDP 49152-50175/);
    const gp = await read('gpredict-user-manual.pdf');
    assert.equal(gp.pages.length, 64);
    assert.equal(gp.info.title, 'Gpredict User Manual');
    const on = await read('openni-user-guide.pdf');
    assert.equal(on.pages.length, 44);
    assert.ok(on.pages.filter((p) => p.text.length > 200).length > 35);
  });
});
