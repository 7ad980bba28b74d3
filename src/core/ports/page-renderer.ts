export interface PageRenderOptions {
  /** 1 = 72 dpi (PDF points); clamped by the adapter. */
  scale: number;
  /** Text to highlight on the page (a cited passage); empty or absent = no highlight. */
  highlight?: string | null;
}

export interface RenderedPage {
  png: Buffer;
  width: number;
  height: number;
  /** Number of boxes drawn for the highlight (0 when it was not found on the page). */
  highlightBoxes: number;
  /** Pages in the document, so callers can offer next/previous. */
  pageCount: number;
}

/** PDF page -> PNG. Throws ManuelError validation_error for a page outside the document. */
export interface PageRenderer {
  render(pdf: Uint8Array, pageNumber: number, options: PageRenderOptions): Promise<RenderedPage>;
}
