import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

/** Uploads a PDF and waits for its ingestion to complete; the manual id. */
export async function uploadPdf(t: TestServer, token: string, pdf: Buffer, name: string): Promise<string> {
  const f = new FormData();
  f.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), name);
  const res = await t.request('/api/manuals/upload', { token, body: f });
  assert.equal(res.status, 202, await res.clone().text());
  const body = (await res.json()) as { job_id: string; manual_id: string };
  assert.equal((await t.waitForJob(token, body.job_id)).status, 'completed');
  return body.manual_id;
}

/** POST /api/query; status and JSON body. */
export async function ask(t: TestServer, token: string, question: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await t.request('/api/query', { token, json: { question } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

