import type { Hono } from 'hono';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.js';
import { matchesIfNoneMatch, notModified } from './conditional-get.js';

const SUFFIX: Record<string, string> = { br: '.br', gzip: '.gz', zstd: '.zst' };

/**
 * ETag of the file actually sent (the .br or .gz variant when precompressed): size and mtime of a
 * build output identify it. Strong for a file sent as it is; weak when compressed on the fly.
 */
function etagOf(file: string, encoding: string | null): string | null {
  try {
    const st = statSync(file + (encoding ? (SUFFIX[encoding] ?? '') : ''));
    const tag = `"${st.size.toString(36)}-${Math.trunc(st.mtimeMs).toString(36)}${encoding ? `-${encoding}` : ''}"`;
    return encoding ? tag : `W/${tag}`;
  } catch {
    return null;
  }
}

/** Adds the ETag and Cache-Control; a matching If-None-Match gets 304 and the file is not read. */
function withValidators(c: Context, res: Response, file: string, cacheControl: string): Response {
  res.headers.set('Cache-Control', cacheControl);
  const encoding = res.headers.get('Content-Encoding');
  const etag = etagOf(file, encoding);
  if (!etag) return res;
  res.headers.set('ETag', etag);
  if (!matchesIfNoneMatch(c, etag)) return res;
  void res.body?.cancel();
  return notModified({ ETag: etag, 'Cache-Control': cacheControl, Vary: res.headers.get('Vary') });
}

const isApi = (path: string) => path === '/api' || path.startsWith('/api/') || path === '/health';

/**
 * Serves the browser app built into `webDir` (web/dist), registered after the API routes: files as
 * they are (precompressed .br/.gz when the build made them, else gzip on the fly), and index.html for
 * any other non-API GET so client-side routes survive a reload. Does nothing when the app isn't built.
 */
export function mountWebApp(app: Hono<AppEnv>, webDir: string): boolean {
  if (!existsSync(join(webDir, 'index.html'))) return false;
  const files = serveStatic({ root: webDir, precompressed: true });
  const index = serveStatic({ root: webDir, path: 'index.html' });
  app.get('*', compress(), async (c, next) => {
    if (isApi(c.req.path)) return next();
    const found = await files(c, async () => {});
    if (found) {
      // Hashed asset names never change, so they can be cached for good; index.html is revalidated.
      const path = decodeURIComponent(c.req.path);
      const file = join(webDir, path.endsWith('/') ? join(path, 'index.html') : path);
      return withValidators(c, found, file, path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    if (c.req.path.startsWith('/assets/')) return next(); // a missing asset is a 404, not the app shell
    const shell = await index(c, next);
    return shell ? withValidators(c, shell, join(webDir, 'index.html'), 'no-cache') : next();
  });
  return true;
}
