import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AppEnv } from '../app-env.js';

/** swagger-ui-dist ships the reference page's assets; serving them ourselves keeps /api/docs offline. */
const assetsDir = () => dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Manuel API reference</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>`;

// A separate file rather than an inline script, so the page works under a strict CSP.
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });`;

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

export function docsRoutes() {
  const app = new OpenAPIHono<AppEnv>();
  const root = assetsDir();
  app.get('/docs', (c) => {
    c.header('Content-Security-Policy', CSP);
    return c.html(PAGE);
  });
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', async (c, next) => {
    const file = c.req.param('file');
    if (!ASSETS.has(file)) return next();
    c.header('Cache-Control', 'public, max-age=86400');
    return serveStatic({ root, path: file })(c, next);
  });
  return app;
}
