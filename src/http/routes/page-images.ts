import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { errors } from '../../core/errors.js';
import type { PageRenderer } from '../../core/ports/page-renderer.js';
import type { AppEnv } from '../app-env.js';
import { callerOwners } from '../middleware/auth.js';
import { validationHook } from '../middleware/validation-hook.js';
import { matchesIfNoneMatch, notModified } from './conditional-get.js';
import type { AppServices } from '../services.js';

/** The renderer may be provided by the wiring; otherwise the embedded pdf.js one is loaded on first use. */
export type PageImageServices = Pick<AppServices, 'manuals' | 'blobs' | 'dataDir'> & { pageRenderer?: PageRenderer };

const MAX_HIGHLIGHT_CHARS = 2000;
/** Bump when the rendering changes (renderer, highlight style): cached pages get new ETags. */
const RENDER_VERSION = 'pdfjs-1';

const route = createRoute({
  method: 'get',
  path: '/manuals/{id}/pages/{page}',
  summary: 'A page of a manual as PNG, with a passage highlighted',
  description: 'page is `N.png` with N the 1-based physical page. Cached on disk by (manual, page, highlight, scale).',
  request: {
    params: z.object({ id: z.string().min(1), page: z.string().openapi({ example: '12.png' }) }),
    query: z.object({
      highlight: z.string().max(MAX_HIGHLIGHT_CHARS).optional(),
      scale: z.coerce.number().min(0.25).max(4).optional(),
    }),
  },
  responses: {
    200: { description: 'PNG image', content: { 'image/png': { schema: z.any() } } },
    400: { description: 'Bad page number or scale' },
    404: { description: 'No such manual for this user' },
  },
});

const manualCacheDir = (dataDir: string, manualId: string) => join(dataDir, 'page-cache', encodeURIComponent(manualId));

/** Drops the rendered pages of a manual (call when the manual is deleted). */
export async function removePageCache(dataDir: string, manualId: string): Promise<void> {
  await rm(manualCacheDir(dataDir, manualId), { recursive: true, force: true });
}

export function pageImageRoutes(services: PageImageServices) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const inflight = new Map<string, Promise<Buffer>>();
  let renderer: Promise<PageRenderer> | null = services.pageRenderer ? Promise.resolve(services.pageRenderer) : null;
  const getRenderer = () =>
    (renderer ??= import('../../adapters/embedded/pdfjs-page-renderer.js').then((m) => new m.PdfjsPageRenderer()));

  app.openapi(route, async (c) => {
    const { id, page } = c.req.valid('param');
    const { highlight = '', scale = 1.5 } = c.req.valid('query');
    const m = /^(\d{1,6})\.png$/.exec(page);
    const pageNumber = m ? Number(m[1]) : NaN;
    if (!(pageNumber >= 1)) throw errors.validation(`page: expected N.png with N >= 1, got "${page}"`, { field: 'page' });

    const manual = await services.manuals.get(id, callerOwners(c));
    if (!manual) throw errors.notFound('Manual');
    if (manual.pages > 0 && pageNumber > manual.pages) {
      throw errors.validation(`Page ${pageNumber} does not exist: the manual has ${manual.pages} pages`, { pages: manual.pages });
    }

    const text = highlight.trim().replace(/\s+/g, ' ');
    const digest = createHash('sha256').update(`${scale}\n${text}`).digest('hex').slice(0, 24);
    // One folder per manual so deleting a manual's cache is one rm; the id never contains a slash.
    const file = join(manualCacheDir(services.dataDir, manual.id), `${pageNumber}-${digest}.png`);
    // Strong: the PNG follows from the stored PDF, the page, scale and highlight (and the renderer of
    // this release), so it is known before rendering or reading anything. Checked only after the
    // caller was shown to see this manual: a 304 must not confirm that someone else's page exists.
    const etag = `"${createHash('sha256').update(`${RENDER_VERSION}\n${manual.id}\n${manual.blobKey}\n${pageNumber}\n${digest}`).digest('base64url').slice(0, 32)}"`;
    const cacheControl = 'private, max-age=86400';
    if (matchesIfNoneMatch(c, etag)) return notModified({ ETag: etag, 'Cache-Control': cacheControl }) as never;
    let png: Buffer | null = await readFile(file).catch(() => null);
    if (!png) {
      let pending = inflight.get(file);
      if (!pending) {
        pending = (async () => {
          const pdf = await services.blobs.get(manual.blobKey);
          if (!pdf) throw errors.notFound('Manual file');
          const out = await (await getRenderer()).render(pdf, pageNumber, { scale, highlight: text });
          await mkdir(join(file, '..'), { recursive: true });
          const tmp = `${file}.${process.pid}.tmp`;
          await writeFile(tmp, out.png);
          await rename(tmp, file); // atomic: a concurrent reader never sees half a PNG
          return out.png;
        })().finally(() => inflight.delete(file));
        inflight.set(file, pending);
      }
      png = await pending;
    }
    return c.body(new Uint8Array(png), 200, {
      'Content-Type': 'image/png',
      'Cache-Control': cacheControl,
      ETag: etag,
    });
  });
  return app;
}
