import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.js';
import { MB } from '../middleware/body-limit.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import type { AppServices } from '../services.js';

const LimitsSchema = z
  .object({
    max_manual_bytes: z.number().int().openapi({ description: 'Largest PDF POST /api/manuals/upload accepts (MaxManualSizeMB)' }),
    max_audio_bytes: z.number().int().openapi({ description: 'Largest recording /api/query and /api/transcribe accept (MaxAudioSizeMB)' }),
    max_request_bytes: z.number().int().openapi({ description: 'Largest body of any other request (MaxRequestSizeMB)' }),
  })
  .openapi('Limits');

const limitsRoute = createRoute({
  method: 'get',
  path: '/limits',
  tags: ['manuals'],
  summary: 'Size limits of uploads, so a client can refuse an over-size file before sending it',
  description: 'Sizes of the file itself (multipart), in bytes; a larger file is answered 413 payload_too_large.',
  security: bearerSecurity,
  responses: { 200: { description: 'Limits', content: { 'application/json': { schema: LimitsSchema } } }, ...errorResponses(401) },
});

export function limitsRoutes(services: AppServices) {
  const p = services.parameters;
  const limits = {
    max_manual_bytes: Math.floor(p.MaxManualSizeMB * MB),
    max_audio_bytes: Math.floor(p.MaxAudioSizeMB * MB),
    max_request_bytes: Math.floor(p.MaxRequestSizeMB * MB),
  };
  return new OpenAPIHono<AppEnv>().openapi(limitsRoute, (c) => c.json(limits, 200));
}
