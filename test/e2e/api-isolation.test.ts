import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const secretPdf = buildPdf([
  ['Zephyr calibration', 'To calibrate the zephyr turbine, set dial Q7 to 42 and hold the amber key for nine seconds.'],
  ['Zephyr storage', 'Store the zephyr turbine below 30 degrees in its quilted case.'],
]);
const sharedPdf = buildPdf([['Library handbook', 'Every quokka feeder must be refilled with pellets each Tuesday morning.']]);
const QUESTION = 'How do I calibrate the zephyr turbine?';

async function upload(t: TestServer, token: string, pdf: Buffer) {
  const f = new FormData();
  f.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'zephyr.pdf');
  const res = await t.request('/api/manuals/upload', { token, body: f });
  assert.equal(res.status, 202);
  return (await res.json()) as { manual_id: string; job_id: string; duplicate: boolean };
}

describe('API: two users never see each other’s manuals, on any route', () => {
  let t: TestServer;
  let a: string; // first account: admin
  let b: string;
  let aManual: string;
  let aJob: string;

  before(async () => {
    t = await startTestServer();
    a = await t.signup();
    b = await t.signup();
    const up = await upload(t, a, secretPdf);
    aManual = up.manual_id;
    aJob = up.job_id;
    assert.equal((await t.waitForJob(a, aJob)).status, 'completed');
    const asked = await (await t.request('/api/query', { token: a, json: { question: QUESTION } })).json();
    assert.equal(asked.sources[0].manual_id, aManual, 'A finds their own manual (and the answer is now cached)');
  });
  after(() => t.close());

  it('B cannot list, read, download, render, follow or delete A’s manual', async () => {
    const list = await (await t.request('/api/manuals', { token: b })).json();
    assert.equal(list.count, 0);
    assert.deepEqual(list.manuals, []);
    for (const [method, path] of [
      ['GET', `/api/manuals/${aManual}`],
      ['GET', `/api/manuals/${aManual}/file`],
      ['GET', `/api/manuals/${aManual}/pages/1.png`],
      ['GET', `/api/manuals/${aManual}/pages/1.png?highlight=zephyr`],
      ['DELETE', `/api/manuals/${aManual}`],
      ['GET', `/api/ingestion/status?job_id=${aJob}`],
    ]) {
      const res = await t.request(path!, { token: b, method });
      assert.equal(res.status, 404, `${method} ${path}`);
      const text = await res.text();
      assert.ok(!/zephyr/i.test(text), 'nothing of A’s manual leaks in the error');
    }
    // A's manual survived B's delete attempt
    assert.equal((await t.request(`/api/manuals/${aManual}`, { token: a })).status, 200);
    assert.equal((await t.request(`/api/manuals/${aManual}/pages/1.png`, { token: a })).status, 200);
  });

  it('B cannot query A’s manual by id, by question, or through the answer cache', async () => {
    const byId = await t.request('/api/query', { token: b, json: { question: QUESTION, manual_ids: [aManual] } });
    assert.equal(byId.status, 404);
    const res = await t.request('/api/query', { token: b, json: { question: QUESTION } });
    assert.equal(res.status, 200);
    const answer = await res.json();
    assert.equal(answer.cache_status, 'miss', 'A’s cached answer is not B’s');
    assert.deepEqual(answer.sources, []);
    assert.equal(answer.context_found, false);
    assert.ok(!/Q7|zephyr turbine, set/i.test(answer.answer));
  });

  it('B uploading the same bytes gets a separate manual; each sees only their own', async () => {
    const up = await upload(t, b, secretPdf);
    assert.equal(up.duplicate, false);
    assert.notEqual(up.manual_id, aManual);
    assert.equal((await t.waitForJob(b, up.job_id)).status, 'completed');
    const bList = await (await t.request('/api/manuals', { token: b })).json();
    assert.deepEqual(bList.manuals.map((m: { id: string }) => m.id), [up.manual_id]);
    const aList = await (await t.request('/api/manuals', { token: a })).json();
    assert.deepEqual(aList.manuals.map((m: { id: string }) => m.id), [aManual]);
    const answer = await (await t.request('/api/query', { token: b, json: { question: QUESTION } })).json();
    assert.ok(answer.sources.length > 0);
    assert.ok(answer.sources.every((s: { manual_id: string }) => s.manual_id === up.manual_id), 'B is cited B’s copy, never A’s');
    // A can't reach B's job either
    assert.equal((await t.request(`/api/ingestion/status?job_id=${up.job_id}`, { token: a })).status, 404);
    // B deletes their copy; A's stays searchable
    assert.equal((await t.request(`/api/manuals/${up.manual_id}`, { token: b, method: 'DELETE' })).status, 200);
    const stillA = await (await t.request('/api/query', { token: a, json: { question: QUESTION } })).json();
    assert.equal(stillA.sources[0].manual_id, aManual);
  });

  it('the shared library is visible to both, managed only by the admin', async () => {
    const lib = join(t.dataDir, 'library');
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'handbook.pdf'), sharedPdf);
    const refused = await t.request('/api/bootstrap', { token: b, json: { action: 'populate' } });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error_type, 'forbidden');

    const populated = await (await t.request('/api/bootstrap', { token: a, json: { action: 'populate' } })).json();
    assert.equal(populated.submitted, 1);
    const jobId = populated.files[0].job_id;
    assert.equal((await t.waitForJob(b, jobId)).status, 'completed', 'B can follow a shared job');
    for (const token of [a, b]) {
      const list = await (await t.request('/api/manuals', { token })).json();
      const shared = list.manuals.find((m: { shared: boolean }) => m.shared);
      assert.ok(shared, 'shared manual listed');
      const ans = await (await t.request('/api/query', { token, json: { question: 'When must the quokka feeder be refilled?' } })).json();
      assert.equal(ans.sources[0].manual_id, shared.id);
    }
    const sharedId = populated.files[0].manual_id;
    assert.equal((await t.request(`/api/manuals/${sharedId}`, { token: b, method: 'DELETE' })).status, 403);
    const status = await (await t.request('/api/bootstrap', { token: a, json: { action: 'status' } })).json();
    assert.equal(status.count, 1);
    const cleared = await (await t.request('/api/bootstrap', { token: a, json: { action: 'clear' } })).json();
    assert.equal(cleared.deleted, 1);
    assert.equal((await (await t.request('/api/manuals', { token: b })).json()).count, 0);
  });
});
