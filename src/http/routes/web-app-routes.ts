import type { Hono } from 'hono';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppEnv } from '../app-env.js';

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
      found.headers.set('Cache-Control', c.req.path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      return found;
    }
    if (c.req.path.startsWith('/assets/')) return next(); // a missing asset is a 404, not the app shell
    c.header('Cache-Control', 'no-cache');
    return (await index(c, next)) ?? next();
  });
  return true;
}
