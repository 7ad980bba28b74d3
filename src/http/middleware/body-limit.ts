import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Parameters } from '../../config/parameters.js';
import { errors } from '../../core/errors.js';

/**
 * Caps a request body: a declared Content-Length over the cap is refused before reading anything,
 * and a chunked body is counted while it streams and abandoned as soon as it passes the cap.
 * `limitFor` sees the content type because base64 JSON is 4/3 the size of the file it carries.
 */
export function capBody(limitFor: (contentType: string) => number, reportedLimit: (contentType: string) => number): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    const mw = bodyLimit({
      maxSize: limitFor(type),
      onError: (ctx) => {
        // The rest of the body is not wanted: the Node server reads and drops it up to a bound
        // after this answer (lingering close, entry/lingering-close.ts), then closes the connection.
        ctx.header('Connection', 'close');
        throw errors.tooLarge(reportedLimit(type));
      },
    });
    return mw(c, next);
  };
}

export const MB = 1024 * 1024;
/** Room for multipart boundaries, part headers and JSON keys around the payload. */
export const ENVELOPE_BYTES = 64 * 1024;
export const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

/** The largest body any route accepts: an upload or audio as base64 JSON, or any other body, plus its envelope. */
export function largestBodyBytes(p: Pick<Parameters, 'MaxManualSizeMB' | 'MaxAudioSizeMB' | 'MaxRequestSizeMB'>): number {
  return Math.max(base64Length(p.MaxManualSizeMB * MB), base64Length(p.MaxAudioSizeMB * MB), p.MaxRequestSizeMB * MB) + ENVELOPE_BYTES;
}
