import { z } from '@hono/zod-openapi';

/** Records of the export archive (src/core/migration/archive-format.ts), as the admin API carries them. */
export const ExportedUserSchema = z
  .object({
    email: z.string().email().max(320),
    name: z.string().max(200).nullable(),
    is_admin: z.boolean(),
    created_at: z.string().datetime({ offset: true }),
    password_hash: z.string().max(1000).nullable(),
    hash_scheme: z.enum(['scrypt']).nullable(),
  })
  .openapi('ExportedUser');

export const ExportedManualSchema = z
  .object({
    id: z.string(),
    owner_id: z.string(),
    owner_email: z.string().nullable(),
    shared: z.boolean(),
    name: z.string(),
    file_name: z.string(),
    content_hash: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int(),
    upload_date: z.string(),
    source: z.enum(['upload', 'url', 'bootstrap']),
    status: z.string(),
    quarantine_reason: z.string().nullable(),
  })
  .openapi('ExportedManual');

export const ExportedUsageEventSchema = z
  .object({
    user_email: z.string().max(320),
    operation: z.enum(['query', 'transcribe', 'upload']),
    at: z.string().datetime({ offset: true }),
    cost_eur: z.number().min(0),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('ExportedUsageEvent');

const Period = z.object({ count: z.number(), cost_eur: z.number() });

export const ExportSchema = z
  .object({
    format: z.literal('manuel-export'),
    version: z.number().int(),
    exported_at: z.string(),
    source_version: z.string(),
    users: z.array(ExportedUserSchema),
    manuals: z.array(ExportedManualSchema),
    usage: z.array(ExportedUsageEventSchema),
    counters: z.array(z.object({ user_email: z.string(), at: z.string(), day: Period, month: Period })),
    api_keys: z.array(z.object({ key_id: z.string(), user_email: z.string(), name: z.string(), secret_sha256: z.string(), created_at: z.string() })),
    dead_letters: z.array(z.record(z.string(), z.unknown())),
    errors: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('Export');

export const ImportUsersBody = z.object({ users: z.array(ExportedUserSchema).max(1000) }).openapi('ImportUsers');
export const ImportUsersResult = z
  .object({
    users: z.array(z.object({ email: z.string(), status: z.enum(['created', 'exists']), password: z.enum(['moved', 'reset_required', 'unchanged']) })),
    created: z.number().int(),
    reset_required: z.number().int(),
  })
  .openapi('ImportUsersResult');

export const ImportManualForm = z
  .object({
    file: z.instanceof(File).openapi({ type: 'string', format: 'binary' }),
    owner_email: z.string().max(320).optional(),
    shared: z.enum(['true', 'false']).default('false'),
    name: z.string().max(255),
    file_name: z.string().max(255),
    upload_date: z.string().datetime({ offset: true }),
    source: z.enum(['upload', 'url', 'bootstrap']).default('upload'),
    content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .openapi('ImportManual');
/** The same record as ImportManualForm, for a PDF already put through a direct upload (past API Gateway's 10 MB). */
export const ImportStagedManualBody = z
  .object({
    upload_id: z.string().uuid(),
    owner_email: z.string().max(320).optional(),
    shared: z.boolean().default(false),
    name: z.string().max(255),
    file_name: z.string().max(255),
    upload_date: z.string().datetime({ offset: true }),
    source: z.enum(['upload', 'url', 'bootstrap']).default('upload'),
    content_hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .openapi('ImportStagedManual');
export const ImportManualResult = z
  .object({ manual_id: z.string(), status: z.enum(['created', 'exists']), ingestion: z.string() })
  .openapi('ImportManualResult');

export const ImportUsageBody = z.object({ events: z.array(ExportedUsageEventSchema).max(5000) }).openapi('ImportUsage');
export const ImportUsageResult = z
  .object({ recorded: z.number().int(), skipped: z.number().int(), unknown_users: z.array(z.string()) })
  .openapi('ImportUsageResult');
