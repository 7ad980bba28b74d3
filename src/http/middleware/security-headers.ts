import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../app-env.js';

/**
 * The web app's Content-Security-Policy: no inline or foreign script. pdf.js runs its worker from
 * our own origin (a hashed asset, blob: kept for browsers that wrap it) and may compile WebAssembly
 * image decoders (`'wasm-unsafe-eval'` allows compiling wasm, not JavaScript eval). Inline *styles*
 * stay allowed: the viewer positions page highlights with style attributes, and styles cannot run code.
 */
export const WEB_APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  mediaSrc: ["'self'", 'blob:'],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Security headers on every response, errors included (always on: they cost a few header writes and
 * change nothing for API clients). A route that sets its own CSP (the API reference page) keeps it.
 * HSTS only when the request came over TLS (the socket, or a trusted proxy's X-Forwarded-Proto):
 * sent over plain http it would be ignored at best, and `http://localhost` must keep working.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  const headers = secureHeaders({
    contentSecurityPolicy: WEB_APP_CSP,
    strictTransportSecurity: false,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    overwrite: false,
  });
  return async (c, next) => {
    await headers(c, next);
    if (c.get('clientProto') === 'https') c.header('Strict-Transport-Security', HSTS);
  };
}

/**
 * CORS for CorsAllowedOrigins only: the exact origin is echoed back, any other origin gets no
 * Access-Control-Allow-Origin (so the browser refuses), never `*`. Bearer tokens travel in a header,
 * not a cookie, so credentials are not allowed either. A no-op when the list is empty.
 */
export function corsFor(originsParameter: string): MiddlewareHandler<AppEnv> {
  const allowed = new Set(originsParameter.split(',').map((o) => o.trim().toLowerCase()).filter(Boolean));
  if (allowed.size === 0) return (_c, next) => next();
  return cors({
    origin: (origin) => (allowed.has(origin.toLowerCase()) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Content-Digest', 'Signature', 'Signature-Input', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    credentials: false,
    maxAge: 600,
  });
}
