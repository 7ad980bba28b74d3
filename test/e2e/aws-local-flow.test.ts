/**
 * End to end on `aws:local`: real HTTP into the local API Gateway, the Lambda handlers, DynamoDB (dynalite),
 * S3 (s3rver, whose object event starts ProcessManual), Cognito/SQS/SNS (moto). Sign up -> upload ->
 * ingestion through the S3-event handler -> ask -> cited answer -> the PDF back -> delete; a second user
 * sees none of it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildPdf } from '../helpers/api-pdfs.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { apiRequest, type RequestOptions } from '../helpers/server.js';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';

const skip = motoSkip();

describe('aws:local end to end', { skip }, () => {
  let local: AwsLocal;
  const tokens: Record<'a' | 'b', string> = { a: '', b: '' };
  let manualId = '';
  let jobId = '';
  const pdf = buildPdf([['Pump maintenance guide'], ['To prime the centrifugal pump, open the bleed screw until water flows without bubbles.'], ['Warranty terms']]);

  const call = (path: string, o: RequestOptions = {}) => apiRequest(local.url, path, o);

  before(async () => {
    local = await startAwsLocal({ port: 0, models: { embedder: null, transcriber: null }, scheduleMs: 0, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
  });
  after(() => local?.close());

  it('signs two users up through Cognito', async () => {
    for (const who of ['a', 'b'] as const) {
      const res = await call('/api/auth/signup', { json: { email: `aws-local-${who}-${Date.now()}@example.test`, password: 'correct horse battery' } });
      assert.equal(res.status, 201, await res.clone().text());
      const body = (await res.json()) as { access_token: string; id_token: string; refresh_token: string; expires_in: number };
      assert.ok(body.access_token && body.id_token && body.refresh_token && body.expires_in > 0);
      tokens[who] = body.access_token;
    }
  });

  it('uploads a PDF (multipart, base64 through API Gateway) and ProcessManual ingests it on the S3 event', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'pump.pdf');
    const up = await call('/api/manuals/upload', { token: tokens.a, body: form });
    assert.equal(up.status, 202, await up.clone().text());
    const body = (await up.json()) as { manual_id: string; job_id: string; size: number };
    assert.equal(body.size, pdf.length);
    manualId = body.manual_id;
    jobId = body.job_id;
    const deadline = Date.now() + 60_000;
    type JobStatus = { status: string; statistics: Record<string, number> };
    let job: JobStatus | null = null;
    while (Date.now() < deadline) {
      const res = await call(`/api/ingestion/status?job_id=${jobId}`, { token: tokens.a });
      assert.equal(res.status, 200);
      job = (await res.json()) as JobStatus;
      if (job.status === 'completed' || job!.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((job as JobStatus | null)?.status, 'completed', JSON.stringify(job));
    assert.equal((job as unknown as JobStatus).statistics.pages, 3);
  });

  it('answers with a citation of the right page, and gives the PDF back byte for byte', async () => {
    const res = await call('/api/query', { token: tokens.a, json: { question: 'How do I prime the centrifugal pump?' } });
    assert.equal(res.status, 200, await res.clone().text());
    const a = (await res.json()) as { answer: string; context_found: boolean; sources: { manual_id: string; page_number: number }[] };
    assert.equal(a.context_found, true);
    assert.equal(a.sources[0]!.manual_id, manualId);
    assert.equal(a.sources[0]!.page_number, 2);
    assert.match(a.answer, /bleed screw/i);
    const file = await call(`/api/manuals/${manualId}/file`, { token: tokens.a });
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), pdf);
  });

  it("keeps the second user out of the first user's manual", async () => {
    const list = (await (await call('/api/manuals', { token: tokens.b })).json()) as { count: number };
    assert.equal(list.count, 0);
    assert.equal((await call(`/api/manuals/${manualId}`, { token: tokens.b })).status, 404);
    assert.equal((await call(`/api/manuals/${manualId}/file`, { token: tokens.b })).status, 404);
    const q = (await (await call('/api/query', { token: tokens.b, json: { question: 'How do I prime the centrifugal pump?' } })).json()) as { sources: { manual_id: string }[] };
    assert.ok(q.sources.every((s) => s.manual_id !== manualId));
    assert.equal((await call(`/api/manuals/${manualId}`, { token: tokens.b, method: 'DELETE' })).status, 404);
  });

  it('deletes the manual: gone from the list, the file and the answers', async () => {
    const del = await call(`/api/manuals/${manualId}`, { token: tokens.a, method: 'DELETE' });
    assert.equal(del.status, 200, await del.clone().text());
    assert.equal(((await del.json()) as { success: boolean }).success, true);
    const list = (await (await call('/api/manuals', { token: tokens.a })).json()) as { count: number };
    assert.equal(list.count, 0);
    assert.equal((await call(`/api/manuals/${manualId}/file`, { token: tokens.a })).status, 404);
    const q = (await (await call('/api/query', { token: tokens.a, json: { question: 'How do I prime the centrifugal pump? (after delete)' } })).json()) as { sources: unknown[] };
    assert.equal(q.sources.length, 0);
  });
});
