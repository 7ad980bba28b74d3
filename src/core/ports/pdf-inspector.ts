/** What a structural look at a PDF found, before any PDF library parses it. */
export interface PdfInspection {
  /** Risky PDF names seen as tokens (hex escapes decoded), with how often: { JavaScript: 2, OpenAction: 1 }. */
  keywords: Record<string, number>;
  /** Indirect objects, top level plus those packed in object streams. */
  objects: number;
  /** Page objects found, or the largest page count a /Pages node declares, whichever is larger. */
  pages: number;
  streams: number;
  /** Bytes all compressed streams inflate to (counted, never kept). */
  inflatedBytes: number;
  /** Object streams that could not be opened (encrypted or corrupt): their content went unseen. */
  opaqueObjectStreams: number;
  ms: number;
}

/**
 * Inspects a PDF with a hard time and memory budget. Throws ManuelError `pdf_bomb` when the file is
 * built to exhaust a reader (too many objects or pages, absurd decompression) or when the inspection
 * itself blows its budget; `invalid_pdf` when it cannot be inspected at all.
 */
export interface PdfInspector {
  inspect(pdf: Uint8Array): Promise<PdfInspection>;
}
