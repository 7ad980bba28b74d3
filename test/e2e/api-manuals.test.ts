import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('API: upload, ingest, ask with citations, manage manuals', () => {
  let t: TestServer;
  let pdf: Buffer;
  let token: string;
  let other: string;
  let manualId: string;
  let jobId: string;

  before(async () => {
    pdf = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));
    t = await startTestServer();
    token = await t.signup();
    other = await t.signup();
  });
  after(() => t.close());

  it('uploads multipart, answers 202 at once, ingestion completes with statistics', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'openni-user-guide.pdf');
    form.append('name', 'OpenNI User Guide');
    const res = await t.request('/api/manuals/upload', { token, body: form });
    assert.equal(res.status, 202);
    const body = await res.json();
    assert.equal(body.status, 'queued');
    assert.equal(body.duplicate, false);
    assert.equal(body.name, 'OpenNI User Guide');
    assert.equal(body.size, pdf.length);
    manualId = body.manual_id;
    jobId = body.job_id;

    const job = await t.waitForJob(token, jobId);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.equal(job.manual_id, manualId);
    assert.equal(job.progress, 100);
    assert.equal(job.statistics.pages, 44);
    assert.ok(job.statistics.chunks > 44);
    assert.deepEqual(job.failure_reasons, []);
    assert.equal(job.manual.status, 'completed');
  });

  it('answers a question citing the right page of the manual', async () => {
    const res = await t.request('/api/query', {
      token,
      json: { question: 'What global error status does OpenNI report when more than one node is in an error state at the same time?' },
    });
    assert.equal(res.status, 200);
    const a = await res.json();
    assert.equal(a.context_found, true);
    assert.equal(a.cache_status, 'miss');
    assert.match(a.answer, /global error status/i);
    assert.equal(a.sources[0].page_number, 16, JSON.stringify(a.sources.map((s: { page_number: number }) => s.page_number)));
    for (const s of a.sources) {
      assert.equal(s.manual_id, manualId);
      assert.equal(s.manual_name, 'OpenNI User Guide');
      assert.ok(s.chunk_text.length > 0 && s.score > 0);
    }
    assert.equal(typeof a.response_time_ms, 'number');
    assert.equal(a.cost_info.currency, 'EUR');
    assert.equal(a.usage_info.daily_used, 1);

    const again = await t.request('/api/query', {
      token,
      json: { question: ' What global error status does OpenNI report when more than one node is in an error state at the same time? ', include_sources: false },
    });
    const b = await again.json();
    assert.equal(b.cache_status, 'hit');
    assert.equal(b.answer, a.answer);
    assert.deepEqual(b.sources, [], 'include_sources: false');
    assert.equal(b.usage_info.daily_used, 2, 'a cached answer still counts as a question');

    const scoped = await (await t.request('/api/query', { token, json: { question: 'How long do the Wait UpdateAll functions block before they time out?', manual_ids: [manualId] } })).json();
    assert.ok(scoped.sources.length > 0 && scoped.sources.every((s: { manual_id: string }) => s.manual_id === manualId));

    const nothing = await (await t.request('/api/query', { token, json: { question: 'What is the recommended tyre pressure for a mountain bike?' } })).json();
    assert.equal(nothing.context_found, false);
    assert.equal(nothing.answer, "I couldn't find this in your manuals.");
    assert.deepEqual(nothing.sources, [], 'nothing close enough to list');
    // Weak evidence: no answer is made up, but the closest pages are there to open.
    const weak = await (await t.request('/api/query', { token, json: { question: 'Can I record a bicycle ride with the sensor?' } })).json();
    assert.equal(weak.context_found, false);
    assert.equal(weak.answer, "I couldn't find a clear answer in your manuals. These are the closest pages.");
    assert.ok(weak.sources.length > 0 && weak.sources.every((s: { manual_id: string; score: number }) => s.manual_id === manualId && s.score < 0.3 && s.score > 0));
  });

  it('uploads base64 JSON like the original API; the same bytes again are a duplicate', async () => {
    const res = await t.request('/api/manuals/upload', {
      token,
      json: { file_name: 'copy.pdf', file_data: pdf.toString('base64'), content_type: 'application/pdf' },
    });
    assert.equal(res.status, 202);
    const body = await res.json();
    assert.equal(body.duplicate, true);
    assert.equal(body.manual_id, manualId);

    const mine = await t.request('/api/manuals/upload', {
      token: other,
      json: { file_name: 'openni.pdf', file_data: `data:application/pdf;base64,${pdf.toString('base64')}` },
    });
    assert.equal(mine.status, 202);
    const o = await mine.json();
    assert.equal(o.duplicate, false, 'another user uploading the same file gets their own manual');
    assert.notEqual(o.manual_id, manualId);
    assert.equal((await t.waitForJob(other, o.job_id)).status, 'completed');
  });

  it('lists, shows, downloads and deletes manuals', async () => {
    const list = await (await t.request('/api/manuals', { token })).json();
    assert.equal(list.count, 1);
    const m = list.manuals[0];
    assert.equal(m.id, manualId);
    for (const k of ['id', 'name', 'upload_date', 'size', 'pages', 'status']) assert.ok(k in m, k);
    assert.equal(m.pages, 44);

    const detail = await (await t.request(`/api/manuals/${manualId}`, { token })).json();
    assert.equal(detail.id, manualId);
    assert.ok(detail.chunks > 0);
    assert.equal(detail.job_id, jobId);

    const file = await t.request(`/api/manuals/${manualId}/file`, { token });
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    assert.match(file.headers.get('content-disposition') ?? '', /filename="openni-user-guide\.pdf"/);
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), pdf);

    const png = await t.request(`/api/manuals/${manualId}/pages/3.png`, { token });
    assert.equal(png.status, 200);
    assert.ok(existsSync(join(t.dataDir, 'page-cache', manualId)), 'a rendered page is cached on disk');

    const del = await t.request(`/api/manuals/${manualId}`, { token, method: 'DELETE' });
    assert.equal(del.status, 200);
    const d = await del.json();
    assert.equal(d.success, true);
    assert.ok(d.cleanup_summary.chunks_deleted > 0);
    assert.ok(d.cleanup_summary.jobs_deleted >= 1);
    assert.equal(d.cleanup_summary.file_deleted, false, 'the other user still has a manual with these bytes');

    assert.equal((await t.request(`/api/manuals/${manualId}`, { token })).status, 404);
    assert.ok(!existsSync(join(t.dataDir, 'page-cache', manualId)), 'its rendered pages are deleted with it');
    assert.equal((await t.request(`/api/manuals/${manualId}/file`, { token })).status, 404);
    assert.equal((await (await t.request('/api/manuals', { token })).json()).count, 0);
    const after = await (await t.request('/api/query', { token, json: { question: 'What global error status does OpenNI report when more than one node fails?' } })).json();
    assert.equal(after.cache_status, 'miss', 'deleting a manual changes the cache key');
    assert.deepEqual(after.sources, []);

    // the other user's copy is untouched and its deletion removes the file
    const theirs = (await (await t.request('/api/manuals', { token: other })).json()).manuals[0];
    assert.equal((await t.request(`/api/manuals/${theirs.id}/file`, { token: other })).status, 200);
    const d2 = await (await t.request(`/api/manuals/${theirs.id}`, { token: other, method: 'DELETE' })).json();
    assert.equal(d2.cleanup_summary.file_deleted, true);
  });
});
