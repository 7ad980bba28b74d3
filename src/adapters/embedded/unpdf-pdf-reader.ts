import { getDocumentProxy } from 'unpdf';
import { errors, isManuelError } from '../../core/errors.js';
import type { PageText } from '../../core/model/types.js';
import type { PdfInfo, PdfReader } from '../../core/ports/pdf-reader.js';
import { itemsToLines, linesToText, type PositionedItem } from './pdf-text-lines.js';

type DocumentProxy = Awaited<ReturnType<typeof getDocumentProxy>>;

/** pdf.js signals a password with a PasswordException (name survives bundling, class identity may not). */
function isPasswordError(e: unknown): boolean {
  const err = e as { name?: string; message?: string } | null;
  return !!err && (err.name === 'PasswordException' || /password/i.test(err.message ?? ''));
}

function reasonOf(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return `The PDF could not be read: ${msg || 'unknown error'}`.slice(0, 300);
}

export interface UnpdfPdfReaderOptions {
  /** Called after each page is read (WorkerPdfReader's progress: a page that never ends is a stall). */
  onPage?: (pageNumber: number, pages: number) => void;
  /** false: the caller gives its bytes away (pdf.js may detach them), saving a copy of the file. */
  copyInput?: boolean;
}

/** PDF text per physical page with printed labels, via unpdf's bundled pdf.js (no worker, no canvas). */
export class UnpdfPdfReader implements PdfReader {
  constructor(private readonly opts: UnpdfPdfReaderOptions = {}) {}

  async read(pdf: Uint8Array): Promise<{ info: PdfInfo; pages: PageText[] }> {
    let doc: DocumentProxy;
    try {
      // pdf.js may transfer (detach) the buffer it is given: by default hand it a copy, the caller keeps its bytes.
      // isEvalSupported off: no code is ever compiled from a PDF (font programs, functions), as in the renderer.
      const data = this.opts.copyInput === false ? pdf : new Uint8Array(pdf);
      doc = await getDocumentProxy(data, { verbosity: 0, stopAtErrors: true, isEvalSupported: false });
    } catch (e) {
      if (isPasswordError(e)) throw errors.encryptedPdf();
      throw errors.invalidPdf(reasonOf(e));
    }
    try {
      const labels = await doc.getPageLabels().catch(() => null);
      const pages: PageText[] = [];
      for (let n = 1; n <= doc.numPages; n++) {
        const page = await doc.getPage(n);
        const content = await page.getTextContent();
        const items = content.items.filter((i): i is PositionedItem & typeof i => 'str' in i);
        const text = linesToText(itemsToLines(items)).normalize('NFKC');
        pages.push({ pageNumber: n, label: labels?.[n - 1] || null, text });
        page.cleanup();
        this.opts.onPage?.(n, doc.numPages);
      }
      return { info: { pages: doc.numPages, title: await titleOf(doc) }, pages };
    } catch (e) {
      if (isManuelError(e)) throw e;
      if (isPasswordError(e)) throw errors.encryptedPdf();
      throw errors.invalidPdf(reasonOf(e));
    } finally {
      await doc.destroy().catch(() => undefined);
    }
  }
}

async function titleOf(doc: DocumentProxy): Promise<string | null> {
  const meta = await doc.getMetadata().catch(() => null);
  const title = (meta?.info as { Title?: unknown } | undefined)?.Title;
  return typeof title === 'string' && title.trim() ? title.trim() : null;
}
