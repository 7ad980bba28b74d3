import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalManualsDir } from '../../../test/helpers/eval-manuals.js';
import { isManuelError } from '../../core/errors.js';
import { PdfjsPageRenderer, clampScale } from './pdfjs-page-renderer.js';

const pdf = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));
const renderer = new PdfjsPageRenderer();
const PASSAGE = 'In the Production Nodes section, an example was presented in which a user generator type of production node';

/** Counts strongly yellow pixels (the highlight multiplied over white paper). */
async function yellowPixels(png: Buffer): Promise<number> {
  const { loadImage, createCanvas } = await import('@napi-rs/canvas');
  const img = await loadImage(png);
  const ctx = createCanvas(img.width, img.height).getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, img.width, img.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i]! > 200 && d[i + 1]! > 150 && d[i + 2]! < d[i]! - 60) n++;
  return n;
}

test('renders a real manual page as a PNG of the requested scale', async () => {
  const out = await renderer.render(pdf, 10, { scale: 1 });
  assert.deepEqual([...out.png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');
  assert.equal(out.pageCount, 44);
  assert.equal(out.highlightBoxes, 0);
  assert.ok(out.width > 500 && out.width < 700, `width ${out.width}`); // US letter at 72 dpi is 612
  assert.equal(await yellowPixels(out.png), 0);
});

test('draws highlight boxes over the cited passage', async () => {
  const out = await renderer.render(pdf, 10, { scale: 1.5, highlight: PASSAGE });
  assert.ok(out.highlightBoxes >= 2, `boxes ${out.highlightBoxes}`);
  assert.ok((await yellowPixels(out.png)) > 5000);
});

test('a passage that is not on the page draws nothing', async () => {
  const out = await renderer.render(pdf, 3, { scale: 0.5, highlight: PASSAGE });
  assert.equal(out.highlightBoxes, 0);
});

test('a page outside the document is a validation error naming the page count', async () => {
  for (const n of [0, 45, 1.5]) {
    await assert.rejects(renderer.render(pdf, n, { scale: 1 }), (e) => isManuelError(e) && e.code === 'validation_error' && /44 pages/.test(e.message));
  }
});

test('bytes that are not a PDF are an invalid_pdf error', async () => {
  await assert.rejects(renderer.render(Buffer.from('hello, not a pdf'), 1, { scale: 1 }), (e) => isManuelError(e) && e.code === 'invalid_pdf');
});

test('scale is clamped to a sane range', () => {
  assert.equal(clampScale(100), 4);
  assert.equal(clampScale(0), 0.25);
  assert.equal(clampScale(Number.NaN), 1.5);
});
