import assert from 'node:assert/strict';
import type { TestServer } from './server.js';

/** Uploads a PDF (202 accepted), without waiting for its ingestion; the manual and job ids. */
export async function startUpload(t: TestServer, token: string, pdf: Buffer, name: string): Promise<{ manual_id: string; job_id: string }> {
  const f = new FormData();
  f.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), name);
  const res = await t.request('/api/manuals/upload', { token, body: f });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()) as { manual_id: string; job_id: string };
}

/** Uploads a PDF and waits for its ingestion to complete; the manual id. */
export async function uploadPdf(t: TestServer, token: string, pdf: Buffer, name: string): Promise<string> {
  const body = await startUpload(t, token, pdf, name);
  assert.equal((await t.waitForJob(token, body.job_id)).status, 'completed');
  return body.manual_id;
}

/** POST /api/query; status and JSON body. */
export async function ask(t: TestServer, token: string, question: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await t.request('/api/query', { token, json: { question } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

