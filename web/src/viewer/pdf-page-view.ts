/**
 * The pdf.js part of the page viewer. Imported only with `import()` so pdf.js (and its worker, served
 * from our own bundle, never a CDN) is fetched when a page is first opened, not on first load.
 */
import { GlobalWorkerOptions, getDocument, type PDFDocumentProxy, type RenderTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { highlightRects, type TextItem } from '../../../src/adapters/embedded/passage-highlight-matcher';

GlobalWorkerOptions.workerSrc = workerUrl;

export type PdfDocument = PDFDocumentProxy;

export async function openPdf(data: ArrayBuffer): Promise<PDFDocumentProxy> {
  return getDocument({ data: new Uint8Array(data), isEvalSupported: false }).promise;
}

export interface RenderedView {
  width: number; // CSS pixels
  height: number;
  boxes: { left: number; top: number; width: number; height: number }[];
  label: string | null;
}

let current: RenderTask | null = null;

/** Draws page `n` to fit `cssWidth` × zoom, and returns highlight boxes in CSS pixels. */
export async function renderPage(
  doc: PDFDocumentProxy,
  n: number,
  canvas: HTMLCanvasElement,
  cssWidth: number,
  zoom: number,
  highlight: string,
): Promise<RenderedView> {
  current?.cancel();
  const page = await doc.getPage(n);
  const base = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: (cssWidth / base.width) * zoom });
  const ratio = Math.min(window.devicePixelRatio || 1, 3);
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  const task = page.render({
    canvas,
    viewport,
    transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
  });
  current = task;
  await task.promise;
  if (current === task) current = null;

  let boxes: RenderedView['boxes'] = [];
  if (highlight.trim()) {
    const content = await page.getTextContent();
    const items = (content.items as unknown[]).filter((i): i is TextItem => typeof (i as TextItem).str === 'string');
    const families = content.styles as Record<string, { fontFamily?: string }>;
    const measurer = document.createElement('canvas').getContext('2d')!;
    const measure = (s: string, item: TextItem) => {
      measurer.font = `100px ${families[item.fontName ?? '']?.fontFamily ?? 'sans-serif'}`;
      return measurer.measureText(s).width;
    };
    boxes = highlightRects(items, highlight, measure).map((r) => {
      const [x1, y1, x2, y2] = viewport.convertToViewportRectangle(r) as [number, number, number, number];
      return { left: Math.min(x1, x2), top: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
    });
  }
  const labels = await doc.getPageLabels().catch(() => null);
  return { width: viewport.width, height: viewport.height, boxes, label: labels?.[n - 1] ?? null };
}

export const isCancelled = (e: unknown) => (e as Error)?.name === 'RenderingCancelledException';
