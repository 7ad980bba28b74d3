import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/**
 * A small JSON body with a Content-Length read straight from Node's IncomingMessage on a hot route
 * (POST /api/query): no Fetch `Request` with a web stream and an AbortSignal is built for it, which
 * is a large share of what answering a cached question costs. The text is put where the validator
 * looks first (`c.req.bodyCache.text`), decoded as `Request.text()` would (UTF-8, BOM dropped).
 *
 * Everything else goes to `fallback` (the route's body cap): chunked bodies, bodies over `limit`
 * (refused there before a byte is read), other content types, a body something before us already
 * read, and runtimes that are not Node (tests calling app.request()).
 */
export function fastJsonBody(limit: (contentType: string) => number, fallback: MiddlewareHandler): MiddlewareHandler {
  const decoder = new TextDecoder();
  return (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const type = incoming?.headers['content-type'] ?? '';
    const declared = incoming?.headers['content-length'];
    if (
      !incoming ||
      !JSON_TYPE.test(type) ||
      declared === undefined ||
      incoming.headers['transfer-encoding'] !== undefined ||
      Number(declared) > limit(type) ||
      Object.keys(c.req.bodyCache).length > 0 ||
      incoming.readableEnded
    ) {
      return fallback(c, next);
    }
    const text = new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (d: Buffer) => chunks.push(d));
      incoming.once('end', () => resolve(decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
      incoming.once('error', reject);
      incoming.once('close', () => reject(new Error('request body aborted'))); // no-op after 'end'
    });
    text.catch(() => undefined); // the validator reports it (400); nothing is left unhandled
    (c.req.bodyCache as { text?: Promise<string> }).text = text; // hono keeps the promise there too
    return next();
  };
}
