import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import { errors } from '../../core/errors.js';
import { submitManual, type SubmitManualResult } from '../../core/ingest/submit-manual.js';
import { recordUsage } from '../../core/usage/quota.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { base64Length, capBody, ENVELOPE_BYTES, MB } from '../middleware/body-limit.js';
import { bodyKind, decodeBase64, fileBytes } from '../request-bodies.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { DownloadBody, SubmittedSchema, UploadFormBody, UploadJsonBody } from '../schemas/manual-schemas.js';
import type { AppServices } from '../services.js';
import { safeDownload } from '../url-import/safe-download.js';

const accepted = { description: 'Accepted: ingestion runs in the background', content: { 'application/json': { schema: SubmittedSchema } } };

export interface UploadedInput {
  fileName: string;
  name?: string;
  data: Buffer;
  source: 'upload' | 'url';
}

/** Every way in (multipart, base64 JSON, URL import, direct upload) ends here: the same checks, the same usage event. */
export async function submitUploaded(services: AppServices, maxBytes: number, ownerId: string, input: UploadedInput): Promise<SubmitManualResult> {
  if (input.data.length === 0) throw errors.validation('file: the file is empty', { field: 'file' });
  if (input.data.length > maxBytes) throw errors.tooLarge(maxBytes);
  const result = await submitManual(services, { ownerId, ...input });
  await recordUsage(services, {
    userId: ownerId,
    operation: 'upload',
    detail: { manual_id: result.manual.id, size: result.manual.size, source: input.source, duplicate: result.duplicate },
  });
  return result;
}

export const submitted = (r: SubmitManualResult) => ({
  manual_id: r.manual.id,
  job_id: r.job.id,
  status: r.manual.status,
  duplicate: r.duplicate,
  name: r.manual.name,
  size: r.manual.size,
});

export function uploadRoutes(services: AppServices, opts: { downloadTimeoutMs?: number } = {}) {
  const maxBytes = Math.floor(services.parameters.MaxManualSizeMB * MB);
  const cap = capBody((ct) => (bodyKind(ct) === 'json' ? base64Length(maxBytes) : maxBytes) + ENVELOPE_BYTES, () => maxBytes);

  const uploadRoute = createRoute({
    method: 'post',
    path: '/manuals/upload',
    tags: ['manuals'],
    summary: 'Upload a PDF manual (multipart `file`, or JSON base64 like the original API)',
    description: `At most MaxManualSizeMB (${services.parameters.MaxManualSizeMB} MB here). The file must be a PDF by its bytes, whatever its name says.`,
    security: bearerSecurity,
    middleware: [cap] as const,
    request: {
      body: {
        content: { 'multipart/form-data': { schema: UploadFormBody }, 'application/json': { schema: UploadJsonBody } },
      },
    },
    responses: { 202: accepted, ...errorResponses(400, 401, 413, 415, 500) },
  });

  const downloadRoute = createRoute({
    method: 'post',
    path: '/manuals/download',
    tags: ['manuals'],
    summary: 'Import a PDF manual from an http(s) URL',
    description: 'Private, loopback, link-local and metadata addresses are refused (also after redirects) unless AllowPrivateUrls is true.',
    security: bearerSecurity,
    request: { body: { content: { 'application/json': { schema: DownloadBody } }, required: true } },
    responses: { 202: accepted, ...errorResponses(400, 401, 413, 415, 422) },
  });

  const submit = (ownerId: string, input: UploadedInput) => submitUploaded(services, maxBytes, ownerId, input);

  return new OpenAPIHono<AppEnv>()
    .openapi(uploadRoute, async (c) => {
      const user = currentUser(c);
      const kind = bodyKind(c.req.header('content-type'));
      if (kind === 'json') {
        const body = c.req.valid('json') as z.infer<typeof UploadJsonBody>;
        const data = decodeBase64('file_data', body.file_data);
        return c.json(submitted(await submit(user.id, { fileName: body.file_name, name: body.name, data, source: 'upload' })), 202);
      }
      if (kind === 'multipart') {
        const form = c.req.valid('form') as z.infer<typeof UploadFormBody>;
        const data = await fileBytes(form.file);
        return c.json(submitted(await submit(user.id, { fileName: form.file.name || 'manual.pdf', name: form.name, data, source: 'upload' })), 202);
      }
      throw errors.validation('file: send multipart/form-data with a `file` part, or JSON {file_name, file_data}', { field: 'file' });
    })
    .openapi(downloadRoute, async (c) => {
      const user = currentUser(c);
      const body = c.req.valid('json');
      const got = await safeDownload(body.url, {
        maxBytes,
        allowPrivate: services.parameters.AllowPrivateUrls,
        timeoutMs: opts.downloadTimeoutMs,
        agents: services.urlImportAgents,
        attempts: services.urlImportAttempts,
      });
      const fileName = body.filename || got.fileName || 'download.pdf';
      return c.json(submitted(await submit(user.id, { fileName, name: body.name, data: got.data, source: 'url' })), 202);
    });
}
