import type { Context, MiddlewareHandler } from 'hono';
import { errors } from '../../core/errors.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { AppEnv } from '../app-env.js';
import { readCapped } from '../read-capped.js';
import { jsonTextFromSocket } from './json-body.js';
import { urlDecodeOnce } from './waf/waf-decode.js';
import { inspectValues, sizeViolation, type WafMatch } from './waf/waf-engine.js';
import type { InspectedValue, WafPart } from './waf/waf-rule.js';

export interface WafOptions {
  /** EnableWAF. Off: the middleware is `next` itself, nothing is computed per request. */
  enabled: boolean;
  metrics: Metrics;
  /** Bodies up to this many bytes are inspected (the largest body any route accepts). */
  maxInspectBytes: number;
}

/** Headers that carry credentials or digests: opaque tokens, nothing for a rule to find. */
const OPAQUE_HEADERS = new Set(['authorization', 'signature', 'signature-input', 'content-digest', 'content-length']);
/** JSON fields that carry a file as base64 (PDF, audio): binary, never text. */
const FILE_FIELDS = new Set(['file_data']);
/** Skip long base64 string values in big JSON bodies before parsing them for inspection. */
const LONG_BASE64_STRING = /"[A-Za-z0-9+/=\r\n]{4096,}"/g;

/**
 * Fields that are only ever search text, so they are judged like a question (./waf/question-rules.ts):
 * the question itself, and the page image's `highlight`, a passage quoted from a manual (the web app
 * sends the cited chunk), full of commands and paths.
 */
const SEARCH_TEXT: readonly { field: string; path: RegExp }[] = [
  { field: 'question', path: /^\/api\/(?:query|transcribe)$/ },
  { field: 'highlight', path: /^\/api\/manuals\/[^/]+\/pages\// },
];
const isSearchText = (path: string, field: string) => SEARCH_TEXT.some((s) => s.field === field && s.path.test(path));

function fieldPart(path: string, key: string): WafPart {
  if (isSearchText(path, key)) return 'question';
  if (key === 'url' && path === '/api/manuals/download') return 'url';
  if (key === 'file_name' || key === 'filename') return 'file_name';
  return 'body';
}

function* jsonValues(path: string, node: unknown, key = ''): Generator<InspectedValue> {
  if (typeof node === 'string') {
    if (!FILE_FIELDS.has(key)) yield { part: fieldPart(path, key), name: key, value: node };
  } else if (Array.isArray(node)) {
    for (const item of node) yield* jsonValues(path, item, key);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      yield { part: 'body', name: '(field name)', value: k };
      yield* jsonValues(path, v, k);
    }
  }
}

/** The body's bytes, when it is small enough to inspect; via Hono's body cache, so routes don't read it twice. */
async function boundedBody(c: Context, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const declared = c.req.header('content-length');
  if (declared !== undefined) return Number(declared) <= max ? new Uint8Array(await c.req.arrayBuffer()) : null;
  // Chunked: read a copy up to the bound; past it the route's own cap refuses the body.
  const copy = c.req.raw.clone().body;
  return copy ? readCapped(copy, max) : null;
}

async function bodyValues(c: Context, max: number): Promise<InspectedValue[]> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const isJson = type.includes('json');
  const isForm = type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded');
  if (!isJson && !isForm) return [];
  // A small JSON body straight from the socket, shared with the route's validator (no Fetch Request).
  const socketText = isJson ? jsonTextFromSocket(c, max) : null;
  const bytes = socketText ? null : await boundedBody(c, max);
  if (!socketText && (!bytes || bytes.byteLength === 0)) return [];
  const path = c.req.path;
  if (isJson) {
    let text = socketText ? await socketText.catch(() => '') : Buffer.from(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength).toString('utf8');
    if (!text) return [];
    if (text.length > 1_000_000) text = text.replace(LONG_BASE64_STRING, '""');
    try {
      return [...jsonValues(path, JSON.parse(text))];
    } catch {
      return [{ part: 'body', name: '(raw)', value: text.slice(0, 65_536) }]; // the route answers malformed_json
    }
  }
  let form: FormData;
  try {
    form = await new Response(bytes!, { headers: { 'content-type': type } }).formData();
  } catch {
    return [];
  }
  (c.req.bodyCache as { formData?: Promise<FormData> }).formData = Promise.resolve(form); // the validator reuses it
  const out: InspectedValue[] = [];
  form.forEach((value, name) => {
    out.push({ part: 'body', name: '(field name)', value: name });
    if (typeof value === 'string') out.push({ part: fieldPart(path, name), name, value });
    else out.push({ part: 'file_name', name, value: value.name });
  });
  return out;
}

function requestValues(c: Context, rawPath: string, rawQuery: string, headers: [string, string][]): InspectedValue[] {
  const out: InspectedValue[] = [{ part: 'method', name: '', value: c.req.method }, { part: 'path', name: '', value: rawPath }];
  for (const pair of rawQuery ? rawQuery.split('&') : []) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    out.push({ part: 'query', name: '(parameter name)', value: name });
    if (eq < 0) continue;
    const value = pair.slice(eq + 1);
    // Search text is judged on its text, after the query string's own encoding.
    if (isSearchText(rawPath, name)) out.push({ part: 'question', name, value: urlDecodeOnce(value.replace(/\+/g, ' ')) });
    else out.push({ part: 'query', name, value });
  }
  let userAgent = '';
  for (const [name, value] of headers) {
    if (name === 'user-agent') userAgent = value;
    else if (!OPAQUE_HEADERS.has(name)) out.push({ part: 'header', name, value });
  }
  out.push({ part: 'header', name: 'user-agent', value: userAgent });
  return out;
}

/**
 * Request inspection (EnableWAF), in the spirit of AWS WAF's managed rule groups: the method, path,
 * query, headers, JSON fields and multipart field names, filenames and text fields are decoded and
 * matched against the rule families in ./waf. A match is 403 `request_blocked` naming the rule,
 * counted in `waf_blocks_total{rule}` and logged. Questions get only the rules that matter for
 * search text (./waf/question-rules.ts).
 */
export function wafMiddleware(opts: WafOptions): MiddlewareHandler<AppEnv> {
  if (!opts.enabled) return (_c, next) => next();
  return async (c, next) => {
    if (c.req.path === '/health') return next();
    const url = c.req.url;
    const queryAt = url.indexOf('?');
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const rawPath = new URL(url).pathname;
    const headers = [...c.req.raw.headers.entries()];
    let match: WafMatch | null = sizeViolation({ path: rawPath, query: rawQuery, headers });
    match ??= inspectValues(requestValues(c, rawPath, rawQuery, headers));
    if (!match && c.req.method !== 'GET' && c.req.method !== 'HEAD') match = inspectValues(await bodyValues(c, opts.maxInspectBytes));
    if (!match) return next();
    opts.metrics.count('waf_blocks_total', { rule: match.rule });
    c.get('log')?.warn({ waf_rule: match.rule, part: match.part, field: match.name, client_ip: c.get('clientIp'), method: c.req.method, path: c.req.path }, 'request blocked');
    throw errors.requestBlocked(match.rule);
  };
}
