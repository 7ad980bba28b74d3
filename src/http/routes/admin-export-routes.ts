import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION } from '../../core/migration/archive-format.js';
import { exportedManual, exportSections, manualFile, type ExportDeps } from '../../core/migration/export-data.js';
import { contentDisposition, FILE_URL_TTL_SECONDS } from './manual-routes.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { adminOnly } from './admin-import-routes.js';
import { bearerSecurity, errorResponses, IdParam } from '../schemas/common-schemas.js';
import { ExportSchema } from '../schemas/migration-schemas.js';
import type { AppServices } from '../services.js';

const exportRoute = createRoute({
  method: 'get',
  path: '/admin/export',
  tags: ['admin'],
  summary: 'Everything a move to another deployment needs but the PDF bytes (admin; `manuel export`)',
  description:
    'Users (password hash and its scheme where this deployment holds them), manuals, usage history and counters, API keys (id and SHA-256 of the secret only: the sealed secret never leaves), dead letters and error records. The PDFs: GET /api/admin/export/manuals/{id}/file.',
  security: bearerSecurity,
  responses: { 200: { description: 'The archive sections', content: { 'application/json': { schema: ExportSchema } } }, ...errorResponses(401, 403) },
});

const fileRoute = createRoute({
  method: 'get',
  path: '/admin/export/manuals/{id}/file',
  tags: ['admin'],
  summary: "Any owner's manual PDF, as uploaded (admin; `manuel export`)",
  security: bearerSecurity,
  request: { params: IdParam, query: z.object({ owner_id: z.string().min(1).max(200).openapi({ description: "The manual's `owner_id` in the export (`shared` for the library)" }) }) },
  responses: { 200: { description: 'The PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, 302: { description: 'AWS: the PDF is at the Location (a presigned URL, 5 minutes)' }, ...errorResponses(401, 403, 404) },
});

export function exportDepsOf(services: AppServices): ExportDeps {
  return {
    ...services,
    apiKeys: services.signing.apiKeys,
    deadLetters: services.ops.deadLetters,
    errorTracker: services.ops.errors,
  };
}

export function adminExportRoutes(services: AppServices) {
  const deps = exportDepsOf(services);
  return new OpenAPIHono<AppEnv>()
    .openapi({ ...exportRoute, middleware: [adminOnly] as const }, async (c) => {
      const admin = currentUser(c);
      const sections = await exportSections(deps);
      services.logger.warn({ admin_id: admin.id, users: sections.users.length, manuals: sections.manuals.length }, 'data exported');
      return c.json(
        {
          format: ARCHIVE_FORMAT,
          version: ARCHIVE_VERSION,
          exported_at: services.clock.now().toISOString(),
          source_version: services.version ?? '0.0.0',
          ...sections,
          dead_letters: sections.dead_letters as unknown as Record<string, unknown>[],
          errors: sections.errors as unknown as Record<string, unknown>[],
        },
        200,
      );
    })
    .openapi({ ...fileRoute, middleware: [adminOnly] as const }, async (c) => {
      if (services.presigner) {
        // AWS: past Lambda's 6 MB response, as GET /api/manuals/{id}/file does (ADR 0030).
        const m = await exportedManual(deps, c.req.valid('param').id, c.req.valid('query').owner_id);
        const link = await services.presigner.presignGet(m.blobKey, { contentType: 'application/pdf', contentDisposition: contentDisposition('attachment', m.fileName), expiresInSeconds: FILE_URL_TTL_SECONDS });
        c.header('Cache-Control', 'private, no-store');
        return c.redirect(link.url, 302);
      }
      const { data } = await manualFile(deps, c.req.valid('param').id, c.req.valid('query').owner_id);
      return c.body(new Uint8Array(data), 200, { 'content-type': 'application/pdf', 'content-length': String(data.length) });
    });
}
