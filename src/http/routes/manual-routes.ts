import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { removePageCache } from './page-images.js';
import { deleteManual, downloadableManual, getManualWithJob, listManuals, readManualFile, toManualDto } from '../../core/manuals/manage-manuals.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { bearerSecurity, errorResponses, IdParam } from '../schemas/common-schemas.js';
import { DeletedSchema, ManualListSchema, ManualSchema } from '../schemas/manual-schemas.js';
import type { AppServices } from '../services.js';

const jsonOf = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

const listRoute = createRoute({
  method: 'get',
  path: '/manuals',
  tags: ['manuals'],
  summary: 'Your manuals and the shared library',
  security: bearerSecurity,
  responses: { 200: jsonOf(ManualListSchema, 'Manuals, newest first'), ...errorResponses(401) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/manuals/{id}',
  tags: ['manuals'],
  summary: 'One manual with its ingestion state',
  security: bearerSecurity,
  request: { params: IdParam },
  responses: { 200: jsonOf(ManualSchema, 'The manual'), ...errorResponses(401, 404) },
});

const fileRoute = createRoute({
  method: 'get',
  path: '/manuals/{id}/file',
  tags: ['manuals'],
  summary: 'The PDF as uploaded',
  description:
    'A quarantined manual (see `quarantined`) answers 403 `quarantined` until an admin releases it. On AWS the answer is a 302 to a presigned object-storage URL valid for 5 minutes (send no Authorization header there; fetch and curl -L drop it on the cross-origin redirect).',
  security: bearerSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: 'The PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } },
    302: { description: 'AWS: the PDF is at the Location (a presigned URL, 5 minutes)' },
    ...errorResponses(401, 403, 404),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/manuals/{id}',
  tags: ['manuals'],
  summary: 'Delete a manual: its file, chunks, vectors and jobs',
  security: bearerSecurity,
  request: { params: IdParam },
  responses: { 200: jsonOf(DeletedSchema, 'Deleted'), ...errorResponses(401, 403, 404) },
});

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(kind: 'attachment' | 'inline', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** A download link is used at once: five minutes cover a slow start, not sharing. */
export const FILE_URL_TTL_SECONDS = 300;

export function manualRoutes(services: AppServices) {
  return new OpenAPIHono<AppEnv>()
    .openapi(listRoute, async (c) => {
      const manuals = await listManuals(services, { userId: currentUser(c).id });
      return c.json({ manuals: manuals.map((m) => toManualDto(m)), count: manuals.length }, 200);
    })
    .openapi(getRoute, async (c) => {
      const { manual, job } = await getManualWithJob(services, { userId: currentUser(c).id, manualId: c.req.valid('param').id });
      return c.json(toManualDto(manual, job), 200);
    })
    .openapi(fileRoute, async (c) => {
      if (services.presigner) {
        // Always, whatever the size: the bytes never pass through the function (API Gateway and Lambda cap a response at ~6 MB).
        const manual = await downloadableManual(services, { userId: currentUser(c).id, manualId: c.req.valid('param').id });
        const link = await services.presigner.presignGet(manual.blobKey, {
          contentType: 'application/pdf',
          contentDisposition: contentDisposition('attachment', manual.fileName),
          expiresInSeconds: FILE_URL_TTL_SECONDS,
        });
        c.header('Cache-Control', 'private, no-store');
        return c.redirect(link.url, 302);
      }
      const { stream, size, fileName } = await readManualFile(services, { userId: currentUser(c).id, manualId: c.req.valid('param').id });
      return c.body(Readable.toWeb(stream) as ReadableStream, 200, {
        'Content-Type': 'application/pdf',
        'Content-Length': String(size),
        'Content-Disposition': contentDisposition('attachment', fileName),
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store',
      });
    })
    .openapi(deleteRoute, async (c) => {
      const user = currentUser(c);
      const id = c.req.valid('param').id;
      const summary = await deleteManual(services, { userId: user.id, isAdmin: user.isAdmin, manualId: id });
      await removePageCache(services.dataDir, id); // rendered pages of a deleted manual must not outlive it
      return c.json({ success: true as const, manual_id: id, cleanup_summary: summary }, 200);
    });
}
