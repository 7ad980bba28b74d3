import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import type { Session } from '../../src/core/auth/auth-session.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/entry/server.js';

export interface TestServerOptions extends StartOptions {
  /** Parameters (names of the parameters file); EmbeddingWorkers defaults to 0 here (keyword search only). */
  parameters?: Record<string, unknown>;
  dataDir?: string;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  dataDir: string;
  server: RunningServer;
  /** Signs up (password `correct horse battery`) and returns the access token. */
  signup(email?: string, password?: string): Promise<string>;
  /** Signs up and returns the whole session (tokens + user). */
  session(email?: string, password?: string): Promise<Session>;
  request(path: string, opts?: RequestOptions): Promise<Response>;
  /** Polls /api/ingestion/status until the job is completed or failed. */
  waitForJob(token: string, jobId: string, timeoutMs?: number): Promise<Record<string, any>>;
  close(): Promise<void>;
}

/** One API request to any server (embedded or aws:local): bearer token, JSON body, POST when there is a body. */
export function apiRequest(base: string, path: string, r: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.token) headers.authorization = `Bearer ${r.token}`;
  let body = r.body;
  if (r.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(r.json);
  }
  return fetch(base + path, { method: r.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
}

let seq = 0;
export const uniqueEmail = (tag = 'user') => `${tag}-${process.pid}-${++seq}-${Date.now().toString(36)}@example.test`;
export const TEST_PASSWORD = 'correct horse battery';

/** A real server on a random port over a temporary data dir (removed on close). */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'manuel-'));
  const config = loadEmbeddedConfig(
    { PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: dataDir, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    // Keys in a shared Redis are kept apart per data dir (servers sharing one share them) unless the test names its own prefix.
    { EmbeddingWorkers: 0, RedisKeyPrefix: `test:${basename(dataDir)}:`, ...opts.parameters },
  );
  const { parameters: _p, dataDir: _d, ...startOptions } = opts;
  // Every JSON answer in the API tests is checked against the schema its route documents.
  const server = await startServer(config, { validateResponses: true, ...startOptions });
  const url = server.url;

  const request = (path: string, r: RequestOptions = {}) => apiRequest(url, path, r);

  const session = async (email = uniqueEmail(), password = TEST_PASSWORD): Promise<Session> => {
    const res = await request('/api/auth/signup', { json: { email, password } });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as Session;
  };

  return {
    url,
    dataDir,
    server,
    session,
    signup: async (email, password) => (await session(email, password)).access_token,
    request,
    async waitForJob(token, jobId, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await request(`/api/ingestion/status?job_id=${encodeURIComponent(jobId)}`, { token });
        const body = (await res.json()) as Record<string, any>;
        if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(body)}`);
        if (body.status === 'completed' || body.status === 'failed') return body;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still ${body.status} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await server.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
