import type { PageText } from '../model/types.js';

export interface PdfInfo {
  pages: number;
  title: string | null;
}

/** PDF bytes -> text per physical page. Throws ManuelError invalid_pdf / encrypted_pdf. */
export interface PdfReader {
  read(pdf: Uint8Array): Promise<{ info: PdfInfo; pages: PageText[] }>;
}
