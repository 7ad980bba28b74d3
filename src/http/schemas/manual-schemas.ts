import { z } from '@hono/zod-openapi';

export const ManualSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    file_name: z.string(),
    upload_date: z.string(),
    size: z.number().int().openapi({ description: 'Bytes' }),
    pages: z.number().int(),
    status: z.enum(['queued', 'processing', 'completed', 'failed']),
    chunks: z.number().int(),
    embedded_chunks: z.number().int(),
    error: z.string().nullable().openapi({ description: 'Failure reason code when status is failed' }),
    source: z.enum(['upload', 'url', 'bootstrap']),
    shared: z.boolean().openapi({ description: 'Part of the shared library' }),
    quarantined: z.boolean().openapi({
      description: 'The upload inspection found active content (JavaScript, embedded files...): the original file is withheld until an admin releases it. Text search and page images still work.',
    }),
    quarantine_reason: z.string().nullable().openapi({ description: 'What the inspection found; kept after a release. null when nothing was found.' }),
    job_id: z.string().optional(),
    stage: z.string().optional(),
  })
  .openapi('Manual');

export const QuarantinedListSchema = z
  .object({ manuals: z.array(ManualSchema.extend({ owner_id: z.string() })), count: z.number().int() })
  .openapi('QuarantinedManualList');

export const ManualListSchema = z.object({ manuals: z.array(ManualSchema), count: z.number().int() }).openapi('ManualList');

export const SubmittedSchema = z
  .object({
    manual_id: z.string(),
    job_id: z.string(),
    status: z.string().openapi({ example: 'queued' }),
    duplicate: z.boolean().openapi({ description: 'The same PDF was already uploaded by this user' }),
    name: z.string(),
    size: z.number().int(),
  })
  .openapi('Submitted');

export const UploadJsonBody = z
  .object({
    file_name: z.string().min(1).max(255).openapi({ example: 'printer-guide.pdf' }),
    file_data: z.string().min(1).openapi({ description: 'The PDF, base64 (a data: URL prefix is accepted)' }),
    content_type: z.string().max(100).optional().openapi({ example: 'application/pdf' }),
    name: z.string().max(255).optional(),
  })
  .openapi('UploadBase64');

export const UploadFormBody = z
  .object({
    file: z.instanceof(File).openapi({ type: 'string', format: 'binary' }),
    name: z.string().max(255).optional(),
  })
  .openapi('UploadMultipart');

export const DownloadBody = z
  .object({
    url: z.string().min(1).max(2048).openapi({ example: 'https://example.com/manuals/printer.pdf' }),
    filename: z.string().max(255).optional(),
    name: z.string().max(255).optional(),
  })
  .openapi('ImportFromUrl');

export const DeletedSchema = z
  .object({
    success: z.literal(true),
    manual_id: z.string(),
    cleanup_summary: z.object({
      chunks_deleted: z.number().int(),
      vectors_deleted: z.number().int(),
      jobs_deleted: z.number().int(),
      file_deleted: z.boolean(),
    }),
  })
  .openapi('Deleted');

export const JobStatusSchema = z
  .object({
    job_id: z.string(),
    manual_id: z.string(),
    status: z.enum(['queued', 'processing', 'completed', 'failed']),
    stage: z.string(),
    progress: z.number().openapi({ description: 'Rough percentage 0..100' }),
    statistics: z.record(z.string(), z.number()),
    failure_reasons: z.array(z.string()),
    attempts: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    manual: ManualSchema.nullable(),
  })
  .openapi('IngestionStatus');

export const JobQuery = z.object({ job_id: z.string().min(1).max(200).openapi({ param: { name: 'job_id', in: 'query' } }) });
