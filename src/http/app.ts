import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEnv } from './app-env.js';
import { authMiddleware, UPLOAD_CONTENT_PATH } from './middleware/auth.js';
import { accountRoutes } from './routes/account-routes.js';
import { adminAlertRoutes } from './routes/admin-alert-routes.js';
import { signatureAuthFor } from './middleware/signature.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { capBody, largestBodyBytes, MB } from './middleware/body-limit.js';
import { wafMiddleware } from './middleware/waf.js';
import { errorHandler, notFoundHandler } from './middleware/error-handler.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { requestIdMiddleware, requestLogger } from './middleware/request-context.js';
import { responseValidation } from './middleware/response-validation.js';
import { tracingMiddleware } from './middleware/tracing.js';
import { validationHook } from './middleware/validation-hook.js';
import { trafficControls, type TrafficControlOptions } from './middleware/traffic-controls.js';
import { adminErrorRoutes } from './routes/admin-error-routes.js';
import { adminDlqRoutes } from './routes/admin-dlq-routes.js';
import { adminManualRoutes } from './routes/admin-manual-routes.js';
import { adminExportRoutes } from './routes/admin-export-routes.js';
import { adminImportRoutes, IMPORT_MANUAL_PATH } from './routes/admin-import-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { bootstrapRoutes } from './routes/bootstrap-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { deepHealthRoutes } from './routes/deep-health-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { ingestionRoutes } from './routes/ingestion-routes.js';
import { limitsRoutes } from './routes/limits-routes.js';
import { manualRoutes } from './routes/manual-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { pageImageRoutes } from './routes/page-images.js';
import { queryRoutes } from './routes/query-routes.js';
import { uploadRoutes } from './routes/upload-routes.js';
import { directUploadRoutes } from './routes/direct-upload-routes.js';
import { usageRoutes } from './routes/usage-routes.js';
import { mountWebApp } from './routes/web-app-routes.js';
import type { AppServices } from './services.js';
import { deferredErrorReporter } from '../core/ops/track-error.js';

export interface AppOptions extends TrafficControlOptions {
  /** The built browser app (default: web/dist of this checkout); not served when it isn't built. */
  webDir?: string;
  downloadTimeoutMs?: number;
  /** Check every JSON response against its documented schema (tests, development). */
  validateResponses?: boolean;
}

// dist/src/http/app.js (or src/http/app.ts) -> repository root
const here = dirname(fileURLToPath(import.meta.url));
const defaultWebDir = resolve(here, ...(here.includes('/dist/') ? ['..', '..', '..'] : ['..', '..']), 'web', 'dist');

/** Routes that carry files set their own cap (MaxManualSizeMB, MaxAudioSizeMB, a direct upload's declared size); every other body is small JSON. */
const OWN_CAP = new Set(['/api/manuals/upload', '/api/query', '/api/transcribe', IMPORT_MANUAL_PATH]);
const ownCap = (path: string) => OWN_CAP.has(path) || UPLOAD_CONTENT_PATH.test(path);

/** MaxRequestSizeMB caps every other body (refused from Content-Length, or while it streams). */
function defaultBodyCap(maxRequestSizeMB: number): MiddlewareHandler<AppEnv> {
  const bytes = Math.floor(maxRequestSizeMB * MB);
  const cap = capBody(() => bytes, () => bytes);
  return (c, next) => (ownCap(c.req.path) ? next() : cap(c, next));
}

/** The one Hono app of both shapes: every route, the OpenAPI document and its reference page. */
export function createApp(services: AppServices, options: AppOptions = {}) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', requestIdMiddleware());
  if (services.tracer) app.use('*', tracingMiddleware(services.tracer)); // EnableXRayTracing: the root span, around the log line
  // Always on (microseconds a request, see bench/http-metrics-overhead.ts); per-minute figures only with monitoring.
  app.use('*', httpMetrics({ metrics: services.metrics, sink: services.ops.monitor?.minutes }));
  app.use('*', requestLogger(services.logger));
  // 1b: security headers and CORS, on every response (errors too); preflights end here, uncounted.
  const traffic = trafficControls(services, { peerAddress: options.peerAddress });
  app.use('*', traffic.headers);
  app.use('*', traffic.cors);
  app.use('*', traffic.clientAddress); // 2: c.var.clientIp (TrustedProxies)
  app.use('*', traffic.allowlist); // 3: IPAllowlist (EnableAdvancedSecurity); /health exempt
  const p = services.parameters;
  app.use('*', wafMiddleware({ enabled: p.EnableWAF, metrics: services.metrics, maxInspectBytes: largestBodyBytes(p) })); // 4: request inspection; /health exempt
  app.use('*', traffic.perIp); // 5: rate limit per client address (EnableAdvancedSecurity); /health exempt
  if (options.validateResponses) app.use('*', responseValidation(() => app.openAPIRegistry));
  const signatures = signatureAuthFor(services);
  app.use('/api/*', authMiddleware(services.auth.identity, signatures));
  app.use('/health/deep', authMiddleware(services.auth.identity, signatures));
  app.use('/health/circuit-breakers/*', authMiddleware(services.auth.identity, signatures));
  app.use('/api/*', traffic.perUser); // 6b: rate limit per authenticated user (EnableAdvancedSecurity)
  app.use('/api/*', defaultBodyCap(services.parameters.MaxRequestSizeMB));
  const { errors, notifier } = services.ops;
  // Every 5xx goes to error tracking (EnableAdvancedErrorHandling), recorded after the response is sent.
  app.onError(errorHandler(services.logger, errors ? deferredErrorReporter({ errors, notifier, logger: services.logger }) : undefined));
  app.notFound(notFoundHandler);

  app.route('/', healthRoutes(services));
  app.route('/', deepHealthRoutes(services));
  app.route('/', metricsRoutes(services));
  app.route('/api', authRoutes(services));
  app.route('/api', uploadRoutes(services, { downloadTimeoutMs: options.downloadTimeoutMs }));
  app.route('/api', directUploadRoutes(services));
  app.route('/api', limitsRoutes(services));
  app.route('/api', manualRoutes(services));
  app.route('/api', pageImageRoutes(services));
  app.route('/api', ingestionRoutes(services));
  app.route('/api', queryRoutes(services));
  app.route('/api', usageRoutes(services));
  app.route('/api', bootstrapRoutes(services));
  app.route('/api', apiKeyRoutes(services));
  app.route('/api', accountRoutes(services));
  app.route('/api', adminManualRoutes(services));
  app.route('/api', adminErrorRoutes(services));
  app.route('/api', adminDlqRoutes(services));
  app.route('/api', adminExportRoutes(services));
  app.route('/api', adminImportRoutes(services));
  app.route('/api', dashboardRoutes(services));
  app.route('/api', adminAlertRoutes(services));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The MetricsToken parameter, when it is set (GET /metrics only).',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'httpSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Signature',
    description: 'RFC 9421 HTTP Message Signature (hmac-sha256) made with an API key from POST /api/keys; see that route. Send Signature-Input too, and no bearer token.',
  });
  app.doc('/api/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'Manuel API',
      version: services.version ?? '0.0.0',
      description: 'Answers questions about product manuals, typed or spoken, citing the page. Sign up or log in under /api/auth, then send `Authorization: Bearer <access_token>`.',
    },
    servers: [{ url: '/' }],
  });
  app.route('/api', docsRoutes());
  mountWebApp(app, options.webDir ?? defaultWebDir);
  return app;
}

export type ManuelApp = ReturnType<typeof createApp>;
