import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { discardUpload, takeStagedUpload } from '../../core/ingest/direct-upload.js';
import { importManual, importUsage, importUsers } from '../../core/migration/import-data.js';
import { SHARED_OWNER } from '../../core/model/types.js';
import type { AppEnv } from '../app-env.js';
import { requireAdmin } from '../middleware/auth.js';
import { capBody, ENVELOPE_BYTES, MB } from '../middleware/body-limit.js';
import { fileBytes } from '../request-bodies.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { ImportManualForm, ImportManualResult, ImportStagedManualBody, ImportUsageBody, ImportUsageResult, ImportUsersBody, ImportUsersResult } from '../schemas/migration-schemas.js';
import type { AppServices } from '../services.js';

/** The one import route with a file: capped at MaxManualSizeMB by itself (app.ts leaves it out of MaxRequestSizeMB). */
export const IMPORT_MANUAL_PATH = '/api/admin/import/manuals';

const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const usersRoute = createRoute({
  method: 'post',
  path: '/admin/import/users',
  tags: ['admin'],
  summary: 'Create the accounts of an export archive (admin; `manuel import --in`): idempotent by email',
  description:
    'An existing email is left untouched (`exists`). A scrypt hash moves where this deployment verifies scrypt (embedded): the old password works (`moved`). Elsewhere (Cognito) the account is created without it and must set a new password (`reset_required`: Cognito e-mails a temporary one).',
  security: bearerSecurity,
  request: { body: json(ImportUsersBody) },
  responses: { 200: { description: 'Per user', content: { 'application/json': { schema: ImportUsersResult } } }, ...errorResponses(400, 401, 403) },
});

const manualRoute = createRoute({
  method: 'post',
  path: '/admin/import/manuals',
  tags: ['admin'],
  summary: "Upload an archived PDF on behalf of its owner (admin; `manuel import --in`): idempotent by owner + content hash",
  description: 'Goes through the normal submission: stored by hash, ingested by this deployment. The owner must exist (import users first); `shared=true` puts it in the shared library.',
  security: bearerSecurity,
  request: { body: { content: { 'multipart/form-data': { schema: ImportManualForm } }, required: true } },
  responses: { 200: { description: 'Created (queued for ingestion) or already there', content: { 'application/json': { schema: ImportManualResult } } }, ...errorResponses(400, 401, 403, 413, 415) },
});

const stagedManualRoute = createRoute({
  method: 'post',
  path: '/admin/import/manuals/staged',
  tags: ['admin'],
  summary: 'Import an archived PDF the administrator has put through a direct upload (`POST /api/manuals/uploads`): for manuals over the 10 MB an API Gateway request may carry',
  description: 'Same record and result as the multipart route; the staged bytes must have the record\'s sha256 and are deleted whatever the outcome.',
  security: bearerSecurity,
  request: { body: json(ImportStagedManualBody) },
  responses: { 200: { description: 'Created (queued for ingestion) or already there', content: { 'application/json': { schema: ImportManualResult } } }, ...errorResponses(400, 401, 403, 404, 409, 410, 413, 415, 422) },
});

const usageRoute = createRoute({
  method: 'post',
  path: '/admin/import/usage',
  tags: ['admin'],
  summary: 'Merge archived usage history (admin; `manuel import --in`): an event already here is skipped',
  security: bearerSecurity,
  request: { body: json(ImportUsageBody) },
  responses: { 200: { description: 'Counts', content: { 'application/json': { schema: ImportUsageResult } } }, ...errorResponses(400, 401, 403) },
});

/** Before the body is read or validated: a non-admin learns nothing about the import format. */
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireAdmin(c);
  await next();
};

export function adminImportRoutes(services: AppServices) {
  const maxBytes = Math.floor(services.parameters.MaxManualSizeMB * MB);
  const cap = capBody(() => maxBytes + ENVELOPE_BYTES, () => maxBytes);
  return new OpenAPIHono<AppEnv>()
    .openapi({ ...usersRoute, middleware: [adminOnly] as const }, async (c) => {
      const admin = requireAdmin(c);
      const users = await importUsers({ users: services.users, identity: services.auth.identity }, c.req.valid('json').users);
      services.logger.warn({ admin_id: admin.id, created: users.filter((u) => u.status === 'created').length }, 'users imported');
      return c.json({ users, created: users.filter((u) => u.status === 'created').length, reset_required: users.filter((u) => u.password === 'reset_required').length }, 200);
    })
    .openapi({ ...manualRoute, middleware: [adminOnly, cap] as const }, async (c) => {
      requireAdmin(c);
      const form = c.req.valid('form');
      const data = await fileBytes(form.file);
      const shared = form.shared === 'true';
      const result = await importManual(services, { ...form, owner_email: form.owner_email || null, shared }, data);
      return c.json(result, 200);
    })
    .openapi({ ...stagedManualRoute, middleware: [adminOnly] as const }, async (c) => {
      const admin = requireAdmin(c);
      const { upload_id, ...record } = c.req.valid('json');
      const deps = { blobs: services.blobs, clock: services.clock };
      // The administrator's own upload (or a shared-library one they started); another user's id is 404.
      const { data } = await takeStagedUpload(deps, { id: upload_id, ownerIds: [admin.id, SHARED_OWNER], maxBytes });
      try {
        return c.json(await importManual(services, { ...record, owner_email: record.owner_email || null }, data), 200);
      } finally {
        await discardUpload(deps, upload_id);
      }
    })
    .openapi({ ...usageRoute, middleware: [adminOnly] as const }, async (c) => {
      requireAdmin(c);
      return c.json(await importUsage(services, c.req.valid('json').events), 200);
    });
}
