import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Minimal client for the Manuel HTTP API, used by the eval and bench scripts. */
export class ApiClient {
  token = '';
  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.token) (init.headers as Record<string, string>).authorization = `Bearer ${this.token}`;
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await fetch(this.baseUrl + path, init);
    const text = await res.text();
    const json = text ? JSON.parse(text) : {};
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${json.error_type ?? ''}: ${json.error ?? text}`);
    return json as T;
  }

  async signup(email: string, password: string): Promise<void> {
    const r = await this.call<{ access_token: string }>('POST', '/api/auth/signup', { email, password });
    this.token = r.access_token;
  }

  async uploadPdf(path: string): Promise<{ manual_id: string; job_id: string }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(readFileSync(path))], { type: 'application/pdf' }), basename(path));
    return this.call('POST', '/api/manuals/upload', form);
  }

  /** Polls until the job ends; with `embedded`, also until every chunk has its vector. */
  async waitForJob(jobId: string, manualId: string, timeoutMs = 15 * 60_000): Promise<any> {
    const t0 = Date.now();
    for (;;) {
      const s = await this.call('GET', `/api/ingestion/status?job_id=${encodeURIComponent(jobId)}`);
      if (s.status === 'failed') throw new Error(`ingestion of ${manualId} failed: ${JSON.stringify(s.failure_reasons)}`);
      if (s.status === 'completed') return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`ingestion of ${manualId} timed out`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
