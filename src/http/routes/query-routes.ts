import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import { errors } from '../../core/errors.js';
import { costOf, observeRequestCost, usageInfo } from '../../core/usage/quota.js';
import type { Context, TypedResponse } from 'hono';
import type { AppEnv } from '../app-env.js';
import { currentUser } from '../middleware/auth.js';
import { base64Length, capBody, ENVELOPE_BYTES, MB } from '../middleware/body-limit.js';
import { fastJsonBody } from '../middleware/json-body.js';
import { answerQuery, type QueryAnswer } from '../../core/ask/answer-query.js';
import { transcribeForUser } from '../query/voice-input.js';
import { bodyKind, decodeBase64, fileBytes } from '../request-bodies.js';
import { bearerSecurity, errorResponses } from '../schemas/common-schemas.js';
import {
  listField,
  QueryFormBody,
  queryJsonBody,
  QueryResponseSchema,
  TranscribeFormBody,
  TranscribeJsonBody,
  TranscribeResponseSchema,
} from '../schemas/query-schemas.js';
import type { AppServices } from '../services.js';

/** Notes what the request cost as a whole (cost_info) for the metrics middleware (RequestCostThreshold). */
function priced<T extends { cost_info: { total_cost: number } }>(c: Context<AppEnv>, body: T): T {
  c.set('requestCostEur', body.cost_info.total_cost);
  return body;
}

/**
 * The answer's JSON, as bytes. A cached answer's sources are one frozen array shared by every request
 * that is served it (parseCachedAnswer), so their JSON, most of the body, is made and UTF-8 encoded
 * once per array, not once per request (ADR 0036, 0037). Per request only the small rest (question,
 * cache status, time, cost, usage) is serialised; the two are copied into one buffer, so the socket
 * writes bytes instead of encoding a ~6 KB string and counting its length again. The body's keys
 * and values are what c.json would send.
 */
const sourcesTail = new WeakMap<object, Buffer>();
function answerBody(c: Context<AppEnv>, body: QueryAnswer): TypedResponse<z.infer<typeof QueryResponseSchema>, 200, 'json'> {
  const { sources, ...rest } = priced(c, body);
  let tail = sourcesTail.get(sources);
  if (tail === undefined) {
    tail = Buffer.from(`,"sources":${JSON.stringify(sources)}}`);
    if (Object.isFrozen(sources)) sourcesTail.set(sources, tail);
  }
  const head = JSON.stringify(rest);
  const headBytes = Buffer.byteLength(head) - 1; // without its closing brace
  const bytes = Buffer.allocUnsafe(headBytes + tail.length);
  bytes.write(head, 0, headBytes);
  tail.copy(bytes, headBytes);
  return c.body(bytes, 200, { 'content-type': 'application/json' }) as unknown as TypedResponse<z.infer<typeof QueryResponseSchema>, 200, 'json'>;
}

const mediaType = (file: File) => (file.type && file.type !== 'application/octet-stream' ? file.type : null);

export function queryRoutes(services: AppServices) {
  const p = services.parameters;
  const maxAudio = Math.floor(p.MaxAudioSizeMB * MB);
  const limitFor = (ct: string) => (bodyKind(ct) === 'json' ? base64Length(maxAudio) : maxAudio) + ENVELOPE_BYTES;
  const cap = capBody(limitFor, () => maxAudio);
  const QueryJsonBody = queryJsonBody(p.MaxQuestionLength);

  const queryRoute = createRoute({
    method: 'post',
    path: '/query',
    tags: ['ask'],
    summary: 'Ask a question (typed, or spoken as audio) and get a cited answer',
    description: `Counts against the daily (${p.DailyQuotaLimit}) and monthly (${p.MonthlyQuotaLimit}) quotas; over quota answers 429 with usage_info and Retry-After. A spoken question (multipart \`audio\` or JSON \`file_data\`) also counts a transcribe operation.`,
    security: bearerSecurity,
    // Typed questions are the hot path: their JSON is read without building a Fetch Request.
    middleware: [fastJsonBody(limitFor, cap)] as const,
    request: {
      body: { content: { 'application/json': { schema: QueryJsonBody }, 'multipart/form-data': { schema: QueryFormBody } } },
    },
    responses: {
      200: { description: 'The answer with its sources', content: { 'application/json': { schema: QueryResponseSchema } } },
      ...errorResponses(400, 401, 404, 413, 415, 422, 429, 503),
    },
  });

  const transcribeRoute = createRoute({
    method: 'post',
    path: '/transcribe',
    tags: ['ask'],
    summary: 'Transcribe a spoken question without answering it',
    security: bearerSecurity,
    middleware: [cap] as const,
    request: {
      body: { content: { 'application/json': { schema: TranscribeJsonBody }, 'multipart/form-data': { schema: TranscribeFormBody } } },
    },
    responses: {
      200: { description: 'The transcript', content: { 'application/json': { schema: TranscribeResponseSchema } } },
      ...errorResponses(400, 401, 413, 415, 422, 429, 503),
    },
  });

  /** The audio of a voice request, whichever of the two shapes it came in. */
  async function audioOf(kind: 'json' | 'multipart', body: { file_data?: string; content_type?: string; audio?: File }) {
    if (kind === 'json') return { audio: decodeBase64('file_data', body.file_data!), contentType: body.content_type ?? null };
    return { audio: await fileBytes(body.audio!), contentType: mediaType(body.audio!) };
  }

  return new OpenAPIHono<AppEnv>()
    .openapi(queryRoute, async (c) => {
      const startedAt = performance.now();
      const user = currentUser(c);
      const kind = bodyKind(c.req.header('content-type'));
      if (kind === 'json') {
        const body = c.req.valid('json') as z.infer<typeof QueryJsonBody>;
        const base = { userId: user.id, manualIds: body.manual_ids, includeSources: body.include_sources, startedAt };
        if (body.file_data === undefined) return answerBody(c, await answerQuery(services, { ...base, question: body.question! }));
        const transcription = await transcribeForUser(services, { userId: user.id, ...(await audioOf('json', body)) });
        return answerBody(c, await answerQuery(services, { ...base, question: transcription.text, transcription }));
      }
      if (kind === 'multipart') {
        const form = c.req.valid('form') as z.infer<typeof QueryFormBody>;
        const transcription = await transcribeForUser(services, { userId: user.id, ...(await audioOf('multipart', form)) });
        const input = { userId: user.id, manualIds: listField(form.manual_ids), includeSources: form.include_sources !== 'false', startedAt };
        return answerBody(c, await answerQuery(services, { ...input, question: transcription.text, transcription }));
      }
      throw errors.validation('question: is required', { field: 'question' });
    })
    .openapi(transcribeRoute, async (c) => {
      const user = currentUser(c);
      const kind = bodyKind(c.req.header('content-type'));
      if (kind === 'none') throw errors.validation('audio: is required', { field: 'audio' });
      const body = (kind === 'json' ? c.req.valid('json') : c.req.valid('form')) as { file_data?: string; content_type?: string; audio?: File };
      const t = await transcribeForUser(services, { userId: user.id, ...(await audioOf(kind, body)) });
      const costInfo = costOf({ operation: 'transcribe', audioSeconds: t.durationS }, p);
      observeRequestCost(services, costInfo.total_cost);
      return c.json(
        priced(c, {
          transcription: t.text,
          confidence: t.confidence,
          duration_s: t.durationS,
          engine: t.engine,
          cost_info: costInfo,
          usage_info: await usageInfo(services, user.id, p),
        }),
        200,
      );
    });
}
