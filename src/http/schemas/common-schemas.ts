import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'Manual not found' }),
    error_type: z.string().openapi({ example: 'not_found' }),
    request_id: z.string(),
    timestamp: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    usage_info: z.unknown().optional(),
    retry_after_seconds: z.number().optional(),
  })
  .openapi('Error');

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** Error responses for the OpenAPI document, by status. */
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, errorResponse(ERROR_DESCRIPTIONS[s] ?? 'Error')])) as Record<number, ReturnType<typeof errorResponse>>;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (validation_error, malformed_json, url_not_allowed, invalid_audio)',
  401: 'Missing, invalid or expired bearer token',
  403: 'Not allowed',
  404: 'Not found (also for another user\'s ids)',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type (not_a_pdf, unsupported_media_type)',
  422: 'Unprocessable (download_failed, no_speech, ...)',
  429: 'Quota exceeded (usage_info, Retry-After header)',
  500: 'Server error (internal_error; storage_error: the file could not be stored and nothing was kept)',
  503: 'Unavailable',
};

export const bearerSecurity = [{ bearerAuth: [] }];

export const IdParam = z.object({
  id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, example: '3f1c…' }),
});

export const UsageInfoSchema = z
  .object({
    daily_used: z.number().int(),
    daily_limit: z.number().int().openapi({ description: '0 = no limit' }),
    daily_remaining: z.number().int().openapi({ description: '-1 = unlimited' }),
    monthly_used: z.number().int(),
    monthly_limit: z.number().int(),
    monthly_remaining: z.number().int(),
  })
  .openapi('UsageInfo');
