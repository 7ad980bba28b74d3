import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { loadEmbeddedConfig, type EmbeddedConfig } from '../config/config.js';
import { ConfigError } from '../config/parameters.js';
import { createApp, type AppOptions } from '../http/app.js';
import { largestBodyBytes } from '../http/middleware/body-limit.js';
import { createEmbedded, type EmbeddedApp, type EmbeddedOptions } from '../wiring/embedded.js';
import { LINGER_IDLE_MS, LINGER_MAX_MS, lingerOnEarlyAnswers, type LingerBounds } from './lingering-close.js';
import { MALLOC_ENV, mallocEnvMissing } from './malloc-env.js';

export interface StartOptions extends EmbeddedOptions, AppOptions {
  /** Replace some services after wiring (tests: a scripted transcriber, a clock). */
  overrides?: Partial<EmbeddedApp>;
  /** How long close() lets in-flight requests run before cutting connections. */
  drainTimeoutMs?: number;
  /** Bounds of the read-and-discard after an early answer (tests shorten them); see lingering-close.ts. */
  linger?: Partial<LingerBounds>;
}

export interface RunningServer {
  url: string;
  port: number;
  services: EmbeddedApp;
  /**
   * Stops accepting (new connections are refused, new requests on open ones get 503), lets in-flight
   * requests finish (up to the drain timeout), drains the worker, flushes alerts, closes the db.
   */
  close(): Promise<void>;
}

/** Waits for in-flight requests; idle keep-alive sockets are closed at once, busy ones when their response ends. */
async function drainHttp(server: Server, timeoutMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void closed.then(() => (done = true));
  while (!done && Date.now() < deadline) {
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 25))]);
  }
  if (!done) server.closeAllConnections();
  await closed;
  return done;
}

/**
 * Once shutdown has begun, a request that arrives on a kept-alive connection is not started: 503,
 * `Retry-After`, and the connection closes. Without this, a client reusing its connection back to
 * back keeps the drain from ever finishing, and the drain timeout then cuts real work.
 */
function shuttingDownResponse(env: HttpBindings | Http2Bindings): Response {
  try {
    env.outgoing.setHeader('connection', 'close');
  } catch {
    /* HTTP/2 has no connection header */
  }
  const body = { error: 'The server is shutting down; retry on a new connection', error_type: 'unavailable', request_id: randomUUID(), timestamp: new Date().toISOString() };
  return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/json', 'retry-after': '1' } });
}

export async function startServer(config: EmbeddedConfig = loadEmbeddedConfig(), options: StartOptions = {}): Promise<RunningServer> {
  const { overrides, drainTimeoutMs = 10_000, linger, webDir, downloadTimeoutMs, validateResponses, ...embeddedOptions } = options;
  const services = await createEmbedded(config, embeddedOptions);
  if (overrides) Object.assign(services, overrides);
  const app = createApp(services, { webDir, downloadTimeoutMs, validateResponses });
  if (services.warmUp) {
    // Before listening: the first burst of new questions otherwise pays for this process's JIT and cold caches.
    // It only saves time: a failure is logged and the server starts as it would without it.
    const warmed = await services.warmUp().catch((e: unknown) => ({ questions: 0, ms: 0, error: e instanceof Error ? e.message : String(e) }));
    if (warmed.error) services.logger.warn(warmed, 'warming up the answer path stopped early');
    else services.logger.info(warmed, 'answer path warmed up');
  }

  let server!: Server;
  let draining = false;
  const fetch = (request: Request, env: HttpBindings | Http2Bindings) => (draining ? shuttingDownResponse(env) : app.fetch(request, env));
  try {
    await new Promise<void>((resolve, reject) => {
      server = serve({ fetch, port: config.port, hostname: config.host }, () => resolve()) as Server;
      server.once('error', reject);
    });
  } catch (e) {
    await services.close();
    throw e;
  }
  // Slow clients must not hold a connection (and a drain) open for ever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 10 * 60_000;
  // An answer sent before the body is all in (413, 401...) must reach clients that keep sending.
  const bounds = { maxBytes: largestBodyBytes(config.parameters), maxMs: LINGER_MAX_MS, idleMs: LINGER_IDLE_MS, ...linger };
  lingerOnEarlyAnswers(server, bounds, (e) => {
    const msg = 'unread request body discarded after the answer';
    if (e.outcome === 'drained' || e.outcome === 'client_closed') services.logger.debug(e, msg);
    else services.logger.info(e, `${msg}, until a bound (${e.outcome})`);
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  services.logger.info({ url, data_dir: config.dataDir, version: services.version }, 'listening');
  if (mallocEnvMissing()) services.logger.info(MALLOC_ENV, 'set this in the environment to return freed memory to the system (npm start does; see malloc-env.ts)');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    services,
    close: () =>
      (closing ??= (async () => {
        draining = true;
        const clean = await drainHttp(server, drainTimeoutMs);
        if (!clean) services.logger.warn({ timeout_ms: drainTimeoutMs }, 'in-flight requests cut after the drain timeout');
        await services.close(drainTimeoutMs);
        services.logger.info({}, 'stopped');
      })()),
  };
}

/**
 * `node dist/src/entry/server.js`: start, and on SIGTERM/SIGINT drain and exit 0. With more than one
 * worker (MANUEL_WORKERS, or one per core under EnablePerformanceOptimization) this process only
 * supervises, see cluster.ts.
 */
async function main(): Promise<void> {
  let config: EmbeddedConfig;
  try {
    config = loadEmbeddedConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`manuel: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  if (cluster.isPrimary) {
    const { runPrimary, workerCount } = await import('./cluster.js');
    const workers = workerCount(config.parameters, process.env.MANUEL_WORKERS);
    if (workers > 1) {
      const port = await runPrimary({ workers, parameters: config.parameters });
      process.stderr.write(`manuel: ${workers} workers listening on port ${port} (data in ${config.dataDir})\n`);
      return;
    }
  }
  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (e) {
    process.stderr.write(`manuel: cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    running.services.logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (e) => {
        running.services.logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
