import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FsBlobStore } from '../../src/adapters/embedded/fs-blob-store.js';
import type { WebhookNotifier } from '../../src/adapters/http/webhook-notifier.js';
import type { BlobStore } from '../../src/core/ports/blob-store.js';
import type { Clock } from '../../src/core/ports/clock.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

/** Real time, plus whatever the test moved it forward by (the 15-minute alert window without waiting). */
class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

const MINUTE = 60_000;

async function errorRecords(t: TestServer, token: string, query = ''): Promise<any[]> {
  const res = await t.request(`/api/admin/errors${query}`, { token });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { errors: any[]; count: number };
  assert.equal(body.count, body.errors.length);
  return body.errors;
}

/** Records are written just after each response: wait until the tracker has seen `count` occurrences. */
async function waitForCount(t: TestServer, token: string, count: number): Promise<any[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const records = await errorRecords(t, token);
    if (records.reduce((n, r) => n + r.count, 0) >= count) return records;
    if (Date.now() > deadline) throw new Error(`error records: ${JSON.stringify(records)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Makes GET /api/manuals fail as if the database broke (a plain Error: an unhandled 500). */
function breakManualList(t: TestServer, messages: () => string): () => void {
  const manuals = t.server.services.manuals;
  const real = manuals.list.bind(manuals);
  manuals.list = async () => {
    throw new Error(messages());
  };
  return () => (manuals.list = real);
}

describe('error tracking and webhook alerts (EnableAdvancedErrorHandling)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const start = async (receiver: WebhookReceiver | null, extra: Record<string, unknown> = {}, clock?: Clock) => {
    const t = await startTestServer({
      parameters: {
        EnableAdvancedErrorHandling: true,
        AlertWebhookUrl: receiver?.url ?? '',
        Environment: 'test',
        MaxRetryAttempts: 3,
        BaseRetryDelay: 10,
        MaxRetryDelay: 50,
        ...extra,
      },
      clock,
    });
    cleanups.push(() => t.close());
    return t;
  };
  const receiver = async (...a: Parameters<typeof startWebhookReceiver>) => {
    const r = await startWebhookReceiver(...a);
    cleanups.push(() => r.close());
    return r;
  };

  it('a burst of identical 5xx: every one recorded, exactly one alert; after 15 minutes the next, with the suppressed count', async () => {
    const hook = await receiver();
    const clock = new ShiftedClock();
    const t = await start(hook, {}, clock);
    const admin = await t.signup(); // the first account is admin
    const user = await t.signup();
    let n = 0;
    breakManualList(t, () => `database disk image is malformed at page ${++n * 7}`);

    const burst = await Promise.all(Array.from({ length: 10 }, () => t.request('/api/manuals', { token: user })));
    const bodies = await Promise.all(burst.map((r) => r.json() as Promise<any>));
    assert.deepEqual(new Set(burst.map((r) => r.status)), new Set([500]));
    assert.ok(bodies.every((b) => b.error_type === 'internal_error' && b.error === 'Internal server error'), 'the cause stays out of the response');

    const [record] = await waitForCount(t, admin, 10);
    await (t.server.services.ops.notifier as WebhookNotifier).flush();
    assert.equal(hook.delivered.length, 1, 'one alert for the burst');
    const first = hook.delivered[0]!.body;
    assert.equal(first.kind, 'error');
    assert.equal(first.severity, 'critical');
    assert.equal(first.suppressed_count, 0);
    assert.equal(first.fingerprint, record.fingerprint);
    assert.equal(first.environment, 'test');
    assert.equal(first.fields.where, 'GET /api/manuals');
    assert.match(first.text, /internal_error in GET \/api\/manuals/);
    assert.equal(first.priority, 5);

    // Fourteen minutes on: still the same window.
    clock.offsetMs = 14 * MINUTE;
    await t.request('/api/manuals', { token: user });
    await waitForCount(t, admin, 11);
    await (t.server.services.ops.notifier as WebhookNotifier).flush();
    assert.equal(hook.delivered.length, 1);

    // Sixteen minutes after the first alert: the next goes out and says how many were held back.
    clock.offsetMs = 16 * MINUTE;
    const late = await t.request('/api/manuals', { token: user });
    const lateBody = (await late.json()) as { request_id: string };
    const records = await waitForCount(t, admin, 12);
    await (t.server.services.ops.notifier as WebhookNotifier).flush();
    assert.equal(hook.delivered.length, 2);
    assert.equal(hook.delivered[1]!.body.suppressed_count, 10);
    assert.equal(hook.delivered[1]!.body.fingerprint, record.fingerprint);

    assert.equal(records.length, 1, 'one fingerprint: the page numbers differ, the fault is the same');
    const r = records[0]!;
    assert.equal(r.error_type, 'internal_error');
    assert.equal(r.where, 'GET /api/manuals');
    assert.equal(r.severity, 'critical');
    assert.equal(r.count, 12);
    assert.equal(r.message, 'Error: database disk image is malformed at page <n>');
    assert.equal(r.sample_request_id, lateBody.request_id);
    assert.ok(Date.parse(r.last_seen) - Date.parse(r.first_seen) >= 15 * MINUTE);
  });

  it('GET /api/admin/errors: admin only, filtered by severity, newest first, bad filters refused', async () => {
    const t = await start(null);
    const admin = await t.signup();
    const user = await t.signup();
    const restore = breakManualList(t, () => 'first fault');
    await t.request('/api/manuals', { token: user });
    await waitForCount(t, admin, 1);
    restore();
    breakManualList(t, () => 'second fault');
    await t.request('/api/manuals', { token: user });
    await waitForCount(t, admin, 2);

    assert.deepEqual((await errorRecords(t, admin)).map((r) => r.message), ['Error: second fault', 'Error: first fault']);
    assert.equal((await errorRecords(t, admin, '?severity=critical&limit=1')).length, 1);
    assert.deepEqual(await errorRecords(t, admin, '?severity=medium'), []);
    assert.equal((await t.request('/api/admin/errors', { token: user })).status, 403);
    assert.equal((await t.request('/api/admin/errors')).status, 401);
    const bad = await t.request('/api/admin/errors?severity=urgent', { token: admin });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error_type, 'validation_error');
    assert.equal((await t.request('/api/admin/errors?limit=0', { token: admin })).status, 400);
    // Client errors are not server faults: a 404 is not recorded.
    await t.request(`/api/manuals/${'0'.repeat(8)}`, { token: user });
    assert.equal((await errorRecords(t, admin)).length, 2);
  });

  it('the OpenAPI document describes GET /api/admin/errors', async () => {
    const t = await start(null);
    const doc = (await (await t.request('/api/openapi.json')).json()) as any;
    const op = doc.paths['/api/admin/errors']?.get;
    assert.ok(op, 'documented');
    assert.deepEqual(op.parameters.map((p: any) => p.name).sort(), ['limit', 'severity', 'since']);
    assert.ok(doc.components.schemas.ErrorRecord.properties.sample_request_id);
  });

  it('error tracking off (the minimal profile): nothing recorded, the route says it is off', async () => {
    const t = await startTestServer();
    cleanups.push(() => t.close());
    const admin = await t.signup();
    const { errors, notifier, deadLetters, breakers } = t.server.services.ops;
    assert.deepEqual({ errors, notifier, deadLetters, breakers }, { errors: undefined, notifier: undefined, deadLetters: undefined, breakers: undefined });
    const res = await t.request('/api/admin/errors', { token: admin });
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as any).error, /EnableAdvancedErrorHandling/);
  });

  it('a receiver that fails twice, then succeeds, still gets the alert (delivery retried)', async () => {
    const hook = await receiver((k) => (k <= 2 ? 503 : 200));
    const t = await start(hook);
    const admin = await t.signup();
    breakManualList(t, () => 'flaky receiver test');
    assert.equal((await t.request('/api/manuals', { token: admin })).status, 500);
    await waitForCount(t, admin, 1);
    await (t.server.services.ops.notifier as WebhookNotifier).flush();
    assert.equal(hook.attempts.length, 3);
    assert.equal(hook.delivered.length, 1);
    assert.equal(hook.delivered[0]!.body.severity, 'critical');
  });

  it('a dead receiver (accepts, never answers) does not hold up responses; shutdown still completes', async () => {
    const hook = await receiver(() => 'hang');
    // A long per-attempt timeout: delivery stays stuck for the whole test.
    const t = await start(hook, { ConnectionTimeout: 600_000 });
    const admin = await t.signup();
    let k = 0;
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
    breakManualList(t, () => `fault ${words[k++ % words.length]}`);
    const first = await t.request('/api/manuals', { token: admin });
    assert.equal(first.status, 500);
    await hook.waitForAttempt();
    // The alert is now in flight at a receiver that will never answer. Requests keep being answered.
    const more = await Promise.all(Array.from({ length: 12 }, () => t.request('/api/manuals', { token: admin })));
    assert.deepEqual(new Set(more.map((r) => r.status)), new Set([500]));
    assert.equal((await t.request('/health')).status, 200);
    await waitForCount(t, admin, 13);
    const notifier = t.server.services.ops.notifier as WebhookNotifier;
    assert.equal(notifier.stats.sent + notifier.stats.failed, 0, 'the first delivery is still hanging');
    assert.equal(hook.delivered.length, 0);
    assert.equal(notifier.stats.queued, words.length, 'one alert per distinct fault; repeats were suppressed');
    assert.equal(notifier.stats.suppressed, 13 - words.length);
    // The receiver goes away for good: delivery gives up, and close() (the SIGTERM path, which flushes) returns.
    await hook.close();
    await t.close();
    assert.ok(notifier.stats.failed >= 1);
  });

  it('a failed ingest job is recorded under job:ingest with its failure code (medium: no error alert, one dead-letter alert)', async () => {
    const hook = await receiver();
    const t = await start(hook);
    const admin = await t.signup();
    const pdf = buildPdf([['Locked', 'Secret words.']], { encrypted: true });
    const up = (await (await t.request('/api/manuals/upload', { token: admin, json: { file_name: 'locked.pdf', file_data: pdf.toString('base64') } })).json()) as any;
    assert.equal((await t.waitForJob(admin, up.job_id)).status, 'failed');
    const [record] = await waitForCount(t, admin, 1);
    assert.equal(record.error_type, 'encrypted_pdf');
    assert.equal(record.where, 'job:ingest');
    assert.equal(record.severity, 'medium');
    assert.equal(record.sample_request_id, up.job_id);
    await (t.server.services.ops.notifier as WebhookNotifier).flush();
    // A medium error raises no error alert; the job's arrival in the dead-letter queue raises one (issue 9: DLQ arrivals).
    assert.deepEqual(
      hook.delivered.map((d) => d.body.kind),
      ['dlq'],
    );
  });

  it('close() (the SIGTERM path) waits for an alert still being delivered', async () => {
    let answer!: (status: number) => void;
    const held = new Promise<number>((r) => (answer = r));
    const hook = await receiver(() => held);
    const t = await start(hook);
    const admin = await t.signup();
    breakManualList(t, () => 'last words');
    await t.request('/api/manuals', { token: admin });
    await hook.waitForAttempt();
    let closed = false;
    const closing = t.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(closed, false, 'close() is waiting for the delivery');
    answer(200);
    await closing;
    assert.equal(hook.delivered.length, 1);
  });
});

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out = statSync(p).isDirectory() ? out.concat(filesUnder(p)) : out.concat(p);
  }
  return out;
}

/** A blob store whose writes die halfway: half the bytes land under the key, then an I/O error. */
class HalfWritingBlobStore implements BlobStore {
  failing = true;
  constructor(private readonly inner: BlobStore) {}
  async put(key: string, data: Buffer | import('node:stream').Readable): Promise<void> {
    if (!this.failing) return this.inner.put(key, data);
    const bytes = data as Buffer;
    await this.inner.put(key, bytes.subarray(0, bytes.length >> 1));
    throw Object.assign(new Error(`EIO: i/o error, write '${key}'`), { code: 'EIO' });
  }
  get(key: string) { return this.inner.get(key); }
  stream(key: string) { return this.inner.stream(key); }
  delete(key: string) { return this.inner.delete(key); }
  exists(key: string) { return this.inner.exists(key); }
}

describe('fault: a blob write that fails halfway', () => {
  it('answers a clear 5xx with a code, leaves nothing half-written, and records the error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-blobfault-'));
    const blobs = new HalfWritingBlobStore(new FsBlobStore(join(dataDir, 'blobs')));
    const t = await startTestServer({ dataDir, parameters: { EnableAdvancedErrorHandling: true }, overrides: { blobs } });
    try {
      const admin = await t.signup();
      const user = await t.signup();
      const pdf = buildPdf([['Blob fault', 'The pump must be primed before first use.']]);
      const upload = () => t.request('/api/manuals/upload', { token: user, json: { file_name: 'pump.pdf', file_data: pdf.toString('base64') } });

      const res = await upload();
      const body = (await res.json()) as any;
      assert.equal(res.status, 500);
      assert.equal(body.error_type, 'storage_error');
      assert.match(body.error, /could not be stored; nothing was kept/);
      assert.doesNotMatch(JSON.stringify(body), /EIO|blobs|manuals\//, 'no internal detail in the answer');
      assert.ok(body.request_id);

      // Nothing half-written: no manual, no job, no blob (partial or temporary) on disk.
      assert.equal(((await (await t.request('/api/manuals', { token: user })).json()) as any).count, 0);
      const db = t.server.services.db;
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM manuals').get() as { n: number }).n, 0);
      assert.equal((db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n, 0);
      assert.deepEqual(filesUnder(join(dataDir, 'blobs')), []);

      // The error record: what, where, how bad, and which request.
      const [record] = await waitForCount(t, admin, 1);
      assert.equal(record.error_type, 'storage_error');
      assert.equal(record.where, 'POST /api/manuals/upload');
      assert.equal(record.severity, 'critical');
      assert.equal(record.sample_request_id, body.request_id);
      assert.match(record.message, /EIO: i\/o error, write <str>/);

      // The disk recovers: the same upload now succeeds and stores the whole file (no stale half blob taken for a duplicate).
      blobs.failing = false;
      const ok = await upload();
      assert.equal(ok.status, 202, await ok.clone().text());
      const { job_id, manual_id } = (await ok.json()) as any;
      assert.equal((await t.waitForJob(user, job_id)).status, 'completed');
      const file = await t.request(`/api/manuals/${manual_id}/file`, { token: user });
      assert.equal(createHash('sha256').update(Buffer.from(await file.arrayBuffer())).digest('hex'), createHash('sha256').update(pdf).digest('hex'));
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
