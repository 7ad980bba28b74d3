import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const decoder = new TextDecoder();
/** Requests whose body this module read from the socket (so a later reader may take it from the cache). */
const fromSocket = new WeakSet<object>();

/**
 * A small JSON body with a Content-Length, read straight from Node's IncomingMessage: no Fetch
 * `Request` with a web stream and an AbortSignal is built for it, which is a large share of what
 * answering a cached question costs. The text is put where Hono's validator looks first
 * (`c.req.bodyCache.text`), decoded as `Request.text()` would (UTF-8, BOM dropped), so the route,
 * the WAF and the signature check share one read (`bodyCache.arrayBuffer` gives the exact bytes).
 *
 * Null when the body is not for this path: not Node (tests calling app.request()), not JSON,
 * chunked, declared larger than `max`, or already read some other way.
 */
export function jsonTextFromSocket(c: Context, max: number): Promise<string> | null {
  const cache = c.req.bodyCache as { text?: Promise<string>; arrayBuffer?: Promise<ArrayBuffer> };
  if (fromSocket.has(c.req)) return cache.text ?? null;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableEnded || Object.keys(cache).length > 0) return null;
  const declared = incoming.headers['content-length'];
  if (declared === undefined || incoming.headers['transfer-encoding'] !== undefined || Number(declared) > max) return null;
  if (!JSON_TYPE.test(incoming.headers['content-type'] ?? '')) return null;
  const bytes = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (d: Buffer) => chunks.push(d));
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    incoming.once('error', reject);
    incoming.once('close', () => reject(new Error('request body aborted'))); // no-op after 'end'
  });
  const text = bytes.then((b) => decoder.decode(b));
  text.catch(() => undefined); // the validator reports it (400 malformed_json); nothing is left unhandled
  cache.text = text; // Hono keeps the promise there too
  // The exact bytes too, for a reader that needs them (a signed request's Content-Digest): copied
  // only if asked for.
  Object.defineProperty(cache, 'arrayBuffer', {
    enumerable: true,
    configurable: true,
    get: () => bytes.then((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  });
  fromSocket.add(c.req);
  return text;
}

/**
 * On a hot JSON route (POST /api/query): the body read by `jsonTextFromSocket` when it can be, with
 * its declared size checked against `limit`; anything else (chunked, over the limit, multipart, not
 * Node) goes to `fallback`, the route's body cap, which refuses an oversize body before reading it.
 */
export function fastJsonBody(limit: (contentType: string) => number, fallback: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => {
    const declared = c.req.header('content-length');
    const type = c.req.header('content-type') ?? '';
    if (declared !== undefined && Number(declared) <= limit(type) && jsonTextFromSocket(c, limit(type))) return next();
    return fallback(c, next);
  };
}
