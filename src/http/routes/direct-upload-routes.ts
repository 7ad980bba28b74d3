import { Readable } from 'node:stream';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { errors } from '../../core/errors.js';
import { discardUpload, receiveUpload, stagingKey, startUpload, takeStagedUpload } from '../../core/ingest/direct-upload.js';
import { SHARED_OWNER } from '../../core/model/types.js';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { MB } from '../middleware/body-limit.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import { SubmittedSchema } from '../schemas/manual-schemas.js';
import type { AppServices } from '../services.js';
import { submitted, submitUploaded } from './upload-routes.js';

/** How long an upload URL works: long enough for 50 MB on a slow link, short enough to be useless when leaked. */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

const StartUploadBody = z
  .object({
    filename: z.string().min(1).max(255).openapi({ example: 'printer-guide.pdf' }),
    size: z.number().int().positive().openapi({ description: 'Exact size in bytes; the PUT must send exactly this many' }),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/)
      .optional()
      .openapi({ description: 'Hex sha256 of the file; completion refuses other bytes (checksum_mismatch)' }),
    name: z.string().max(255).optional(),
    shared: z.boolean().optional().openapi({ description: 'Into the shared library (administrators only)' }),
  })
  .openapi('StartUpload');

const UploadTicketSchema = z
  .object({
    upload_id: z.string(),
    url: z.string().openapi({ description: 'Where to PUT the bytes: absolute (object storage) or relative to the API (this server)' }),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()).openapi({ description: 'Send exactly these headers with the PUT, and no Authorization header' }),
    expires_at: z.string(),
    max_bytes: z.number().int(),
  })
  .openapi('UploadTicket');

const UploadIdParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: 'id', in: 'path' } }) });

const startRoute = createRoute({
  method: 'post',
  path: '/manuals/uploads',
  tags: ['manuals'],
  summary: 'Start a direct upload: PUT the PDF to the returned url, then complete it',
  description:
    'For files of any size up to MaxManualSizeMB: the bytes go straight to storage (a presigned S3 URL on AWS, where API Gateway caps a request at 10 MB; this server\'s own PUT route otherwise). The url works for 15 minutes.',
  security: bearerSecurity,
  request: { body: { content: { 'application/json': { schema: StartUploadBody } }, required: true } },
  responses: { 201: { description: 'Upload ticket', content: { 'application/json': { schema: UploadTicketSchema } } }, ...errorResponses(400, 401, 403, 413) },
});

const contentRoute = createRoute({
  method: 'put',
  path: '/manuals/uploads/{id}/content',
  tags: ['manuals'],
  summary: 'The bytes of a direct upload (embedded server; the url of the upload ticket)',
  description: 'Authorised by the ticket url\'s token, not by a bearer token. Exactly the declared size; anything more is refused while it streams (413) and nothing is kept.',
  request: { params: UploadIdParam, query: z.object({ token: z.string().max(200).optional() }) },
  responses: { 204: { description: 'Stored; now complete the upload' }, ...errorResponses(404, 410, 413, 422) },
});

const completeRoute = createRoute({
  method: 'post',
  path: '/manuals/uploads/{id}/complete',
  tags: ['manuals'],
  summary: 'Complete a direct upload: the same checks and answer as POST /api/manuals/upload',
  description:
    'Size and sha256 as declared, a PDF by its bytes, then ingestion starts. Whatever the outcome (except upload_incomplete), the staged bytes are deleted. Another user\'s upload id answers 404.',
  security: bearerSecurity,
  request: { params: UploadIdParam },
  responses: {
    202: { description: 'Accepted: ingestion runs in the background', content: { 'application/json': { schema: SubmittedSchema } } },
    ...errorResponses(401, 404, 409, 410, 413, 415, 422, 500),
  },
});

export function directUploadRoutes(services: AppServices) {
  const maxBytes = Math.floor(services.parameters.MaxManualSizeMB * MB);
  const deps = { blobs: services.blobs, clock: services.clock };
  return new OpenAPIHono<AppEnv>()
    .openapi(startRoute, async (c) => {
      const user = currentUser(c);
      const body = c.req.valid('json');
      if (body.shared && !user.isAdmin) throw errors.forbidden('Only an administrator may add to the shared library');
      const presigner = services.presigner;
      const { session, putToken } = await startUpload(deps, {
        ownerId: body.shared ? SHARED_OWNER : user.id,
        fileName: body.filename,
        name: body.name,
        size: body.size,
        sha256: body.sha256,
        maxBytes,
        ttlSeconds: UPLOAD_URL_TTL_SECONDS,
        withPutToken: !presigner,
      });
      const ticket = presigner
        ? await presigner.presignPut(stagingKey(session.id), { size: session.size, contentType: 'application/pdf', expiresInSeconds: UPLOAD_URL_TTL_SECONDS })
        : { url: `/api/manuals/uploads/${session.id}/content?token=${putToken}`, method: 'PUT' as const, headers: { 'Content-Type': 'application/pdf' }, expiresAt: new Date(session.expiresAt) };
      return c.json({ upload_id: session.id, url: ticket.url, method: 'PUT' as const, headers: ticket.headers, expires_at: ticket.expiresAt.toISOString(), max_bytes: maxBytes }, 201);
    })
    .openapi(contentRoute, async (c) => {
      const { id } = c.req.valid('param');
      const declared = c.req.header('content-length');
      const raw = c.req.raw.body;
      await receiveUpload(deps, {
        id,
        token: c.req.valid('query').token ?? '', // no token is like a wrong one: 404, nothing said about the upload
        contentLength: declared === undefined ? null : Number(declared),
        body: raw ? Readable.fromWeb(raw as never) : Readable.from([]),
      });
      return c.body(null, 204);
    })
    .openapi(completeRoute, async (c) => {
      const user = currentUser(c);
      const { id } = c.req.valid('param');
      // An administrator completes shared-library uploads too; everyone else only their own.
      const owners = user.isAdmin ? [user.id, SHARED_OWNER] : [user.id];
      const { session, data } = await takeStagedUpload(deps, { id, ownerIds: owners, maxBytes });
      try {
        const result = await submitUploaded(services, maxBytes, session.ownerId, { fileName: session.fileName, name: session.name ?? undefined, data, source: 'upload' });
        return c.json(submitted(result), 202);
      } finally {
        await discardUpload(deps, session.id);
      }
    });
}
