import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { errors } from '../../core/errors.js';
import type { PageRenderer, PageRenderOptions, RenderedPage } from '../../core/ports/page-renderer.js';
import { highlightRects, type TextItem } from './passage-highlight-matcher.js';

const MIN_SCALE = 0.25;
const MAX_SCALE = 4;
/** Caps the bitmap so a huge page at a high scale cannot exhaust memory. */
const MAX_PIXELS = 4096 * 4096;
const HIGHLIGHT_FILL = 'rgba(255, 200, 0, 0.45)';

const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// pdf.js reads these through fs in Node; it wants directory paths with a trailing slash.
const assetDirs = {
  standardFontDataUrl: join(pdfjsRoot, 'standard_fonts') + '/',
  cMapUrl: join(pdfjsRoot, 'cmaps') + '/',
  wasmUrl: join(pdfjsRoot, 'wasm') + '/',
  iccUrl: join(pdfjsRoot, 'iccs') + '/',
};

type PdfjsModule = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let pdfjsPromise: Promise<PdfjsModule> | null = null;
// Loaded on first use: pdf.js is large and most server starts never render a page.
const loadPdfjs = () => (pdfjsPromise ??= import('pdfjs-dist/legacy/build/pdf.mjs'));

export const clampScale = (scale: number) =>
  Number.isFinite(scale) ? Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale)) : 1.5;

/** Renders one PDF page with pdf.js (legacy build) onto an @napi-rs/canvas and draws highlight boxes. */
export class PdfjsPageRenderer implements PageRenderer {
  async render(pdf: Uint8Array, pageNumber: number, options: PageRenderOptions): Promise<RenderedPage> {
    const pdfjs = await loadPdfjs();
    // pdf.js transfers the buffer it is given; copy so the caller's bytes stay usable.
    const doc = await pdfjs
      .getDocument({ data: new Uint8Array(pdf), ...assetDirs, isEvalSupported: false, verbosity: 0 })
      .promise.catch((e: Error) => {
        throw errors.invalidPdf(`The PDF cannot be opened: ${e.message}`);
      });
    try {
      if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > doc.numPages) {
        throw errors.validation(`Page ${pageNumber} does not exist: the manual has ${doc.numPages} pages`, {
          pages: doc.numPages,
        });
      }
      const page = await doc.getPage(pageNumber);
      let viewport = page.getViewport({ scale: clampScale(options.scale) });
      const pixels = viewport.width * viewport.height;
      if (pixels > MAX_PIXELS) viewport = page.getViewport({ scale: clampScale(options.scale) * Math.sqrt(MAX_PIXELS / pixels) });
      const width = Math.ceil(viewport.width);
      const height = Math.ceil(viewport.height);
      const canvas = createCanvas(width, height);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, width, height);
      // The node canvas is API-compatible with what pdf.js draws on; its types are not the DOM's.
      await page.render({ canvas: canvas as never, canvasContext: ctx as never, viewport }).promise;

      let highlightBoxes = 0;
      const text = options.highlight?.trim();
      if (text) {
        const content = await page.getTextContent();
        const items = (content.items as unknown[]).filter((i): i is TextItem => typeof (i as TextItem).str === 'string');
        // Proportional widths from a generic font of the same family: closer than equal-width characters.
        const families = content.styles as Record<string, { fontFamily?: string }>;
        const measurer = createCanvas(1, 1).getContext('2d');
        const measure = (s: string, item: TextItem) => {
          measurer.font = `100px ${families[item.fontName ?? '']?.fontFamily ?? 'sans-serif'}`;
          return measurer.measureText(s).width;
        };
        const boxes = highlightRects(items, text, measure).map((r) => viewport.convertToViewportRectangle(r));
        ctx.globalCompositeOperation = 'multiply';
        ctx.fillStyle = HIGHLIGHT_FILL;
        for (const [x1, y1, x2, y2] of boxes) {
          ctx.fillRect(Math.min(x1!, x2!), Math.min(y1!, y2!), Math.abs(x2! - x1!), Math.abs(y2! - y1!));
        }
        highlightBoxes = boxes.length;
      }
      const png = await canvas.encode('png');
      page.cleanup();
      return { png, width, height, highlightBoxes, pageCount: doc.numPages };
    } finally {
      await doc.destroy();
    }
  }
}
