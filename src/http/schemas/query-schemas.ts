import { z } from '@hono/zod-openapi';
import { UsageInfoSchema } from './common-schemas.js';

export const SourceSchema = z
  .object({
    manual_id: z.string(),
    manual_name: z.string(),
    page_number: z.number().int().openapi({ description: '1-based physical page in the PDF' }),
    page_label: z.string().nullable().openapi({ description: 'The number printed on the page, where the PDF has labels' }),
    chunk_text: z.string(),
    score: z.number(),
  })
  .openapi('Source');

export const CostInfoSchema = z
  .object({
    operation: z.string(),
    currency: z.literal('EUR'),
    total_cost: z.number(),
    cost_breakdown: z.array(z.object({ service: z.string(), operation: z.string(), quantity: z.number(), unit: z.string(), cost: z.number() })),
  })
  .openapi('CostInfo');

export const TranscriptionSchema = z
  .object({ text: z.string(), confidence: z.number(), duration_s: z.number(), engine: z.string() })
  .openapi('Transcription');

export const QueryResponseSchema = z
  .object({
    answer: z.string(),
    question: z.string(),
    sources: z.array(SourceSchema).openapi({
      description: 'The retrieved pages, best first. With context_found false they are the closest pages to check (none when nothing is close); empty with include_sources false',
    }),
    context_found: z.boolean().openapi({
      description: 'Whether the answer is drawn from the sources. False: nothing answered the question clearly, and the answer says so',
    }),
    answer_source: z.enum(['model', 'extractive', 'extractive-fallback']).openapi({
      description: 'Who wrote the answer: the model, the extractive writer, or the extractive writer standing in for a model that failed (never cached)',
    }),
    cache_status: z.enum(['hit', 'miss', 'bypass']),
    response_time_ms: z.number(),
    cost_info: CostInfoSchema,
    usage_info: UsageInfoSchema,
    transcription: TranscriptionSchema.optional(),
  })
  .openapi('QueryResponse');

const manualIds = z
  .array(z.string().min(1).max(200))
  .max(100)
  .optional()
  .openapi({ description: 'Search only these manuals (yours or shared)' });

/** The JSON body: a typed question, or a spoken one as base64 audio (the original API's voice shape). */
export const queryJsonBody = (maxQuestionLength: number) =>
  z
    .object({
      question: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(maxQuestionLength, `must be at most ${maxQuestionLength} characters`)
        .optional()
        .openapi({ example: 'How do I change the printer resolution?' }),
      manual_ids: manualIds,
      include_sources: z.boolean().optional().default(true),
      file_data: z.string().min(1).optional().openapi({ description: 'Spoken question: audio, base64' }),
      content_type: z.string().max(100).optional().openapi({ example: 'audio/webm' }),
    })
    .refine((b) => b.question !== undefined || b.file_data !== undefined, { message: 'is required (or file_data for a spoken question)', path: ['question'] })
    .openapi('QueryRequest');

const stringList = z.union([z.string(), z.array(z.string())]).optional();

export const QueryFormBody = z
  .object({
    audio: z.instanceof(File).openapi({ type: 'string', format: 'binary', description: 'Spoken question' }),
    manual_ids: stringList.openapi({ description: 'Repeated, or comma-separated' }),
    include_sources: z.enum(['true', 'false']).optional(),
  })
  .openapi('QueryVoiceMultipart');

export const TranscribeJsonBody = z
  .object({ file_data: z.string().min(1), content_type: z.string().max(100).optional() })
  .openapi('TranscribeRequest');

export const TranscribeFormBody = z.object({ audio: z.instanceof(File).openapi({ type: 'string', format: 'binary' }) }).openapi('TranscribeMultipart');

export const TranscribeResponseSchema = z
  .object({
    transcription: z.string(),
    confidence: z.number(),
    duration_s: z.number(),
    engine: z.string(),
    cost_info: CostInfoSchema,
    usage_info: UsageInfoSchema,
  })
  .openapi('TranscribeResponse');

/** Multipart lists arrive as one value, repeated values, or "a,b": always a clean array. */
export function listField(v: string | string[] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const items = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}
