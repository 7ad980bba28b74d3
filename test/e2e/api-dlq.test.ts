import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkerPdfReader } from '../../src/adapters/embedded/worker-pdf-reader.js';
import { buildPdf, fanOutPdf } from '../helpers/api-pdfs.js';
import { startUpload } from '../helpers/ask-helpers.js';
import { RecordingErrorTracker, RecordingNotifier } from '../helpers/recording-ops.js';
import { startTestServer, uniqueEmail, type TestServer } from '../helpers/server.js';

/**
 * The dead-letter queue over HTTP, on a real server (EnableAdvancedErrorHandling): a PDF that the
 * upload inspector accepts but pdf.js never finishes reading (test/fixtures/pdf/form-xobject-fanout.pdf)
 * is retried MaxRetryAttempts times and dead-lettered, while another upload goes through.
 */
describe('API: dead-letter queue (admin)', () => {
  let t: TestServer;
  let admin: string;
  let alice: string;
  let bob: string;
  const notifier = new RecordingNotifier();
  const tracker = new RecordingErrorTracker();

  const upload = (token: string, pdf: Buffer, fileName: string) => startUpload(t, token, pdf, fileName);
  const dlq = async (token = admin) => {
    const res = await t.request('/api/admin/dlq', { token });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as { dead_letters: Record<string, any>[]; count: number; size: number };
  };

  before(async () => {
    const adminEmail = uniqueEmail('root');
    t = await startTestServer({
      parameters: { AdminEmail: adminEmail, EnableAdvancedErrorHandling: true, MaxRetryAttempts: 3, BaseRetryDelay: 50, MaxRetryDelay: 200 },
      // The wiring's reader with a short stall timeout, so three attempts take seconds, not minutes.
      pdfReader: new WorkerPdfReader({ stallTimeoutMs: 1500 }),
      worker: { pollMs: 50 },
    });
    // Stand-ins for the notifier and error tracker (wired by another part of issue 9), on the same ops object the worker reports to.
    Object.assign(t.server.services.ops, { notifier, errors: tracker });
    admin = await t.signup(adminEmail);
    alice = await t.signup();
    bob = await t.signup();
  });
  after(() => t.close());

  let letterId = '';
  let stuck = { manual_id: '', job_id: '' };

  it('a PDF that times out the parser every time ends in the DLQ after exactly MaxRetryAttempts attempts, one alert; an upload at the same time is searchable', async () => {
    const good = buildPdf([['Router guide', 'Press the reset button for ten seconds to restore the factory settings.']]);
    const [s, g] = await Promise.all([upload(alice, fanOutPdf(), 'fan-out.pdf'), upload(bob, good, 'router.pdf')]);
    stuck = s;
    const [bad, ok] = await Promise.all([t.waitForJob(alice, s.job_id, 60_000), t.waitForJob(bob, g.job_id)]);
    assert.equal(ok.status, 'completed', JSON.stringify(ok));
    const answer = await (await t.request('/api/query', { token: bob, json: { question: 'How do I restore the factory settings?' } })).json();
    assert.equal(answer.sources[0]?.manual_name, 'router.pdf');

    assert.equal(bad.status, 'failed');
    assert.equal(bad.attempts, 3);
    assert.match(bad.failure_reasons[0], /^pdf_timeout: /);
    const manual = await (await t.request(`/api/manuals/${stuck.manual_id}`, { token: alice })).json();
    assert.equal(manual.status, 'failed');
    assert.equal(manual.error, 'pdf_timeout');

    const list = await dlq();
    assert.equal(list.size, 1);
    assert.equal(list.count, 1);
    const l = list.dead_letters[0]!;
    letterId = l.id;
    assert.equal(l.job_id, stuck.job_id);
    assert.equal(l.manual_id, stuck.manual_id);
    assert.equal(l.manual_name, 'fan-out.pdf');
    assert.equal(l.manual_status, 'failed');
    assert.equal(l.error_type, 'pdf_timeout');
    assert.equal(l.attempts, 3);
    assert.equal(l.retries, 0);
    assert.ok(Date.parse(l.created_at) <= Date.parse(l.first_failed_at) && Date.parse(l.first_failed_at) < Date.parse(l.dead_at));

    assert.equal(notifier.of('dlq').length, 1, 'exactly one dlq notification');
    assert.equal(notifier.of('dlq')[0]!.fields?.job_id, stuck.job_id);
    assert.deepEqual(tracker.occurrences.map((o) => [o.errorType, o.where]), [['pdf_timeout', 'job:ingest']]);
  });

  it('only an admin sees or acts on the DLQ (403 with a code for a user, 401 without a token)', async () => {
    for (const [method, path] of [['GET', '/api/admin/dlq'], ['POST', `/api/admin/dlq/${letterId}/retry`], ['DELETE', `/api/admin/dlq/${letterId}`]] as const) {
      const res = await t.request(path, { method, token: bob });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal((await res.json()).error_type, 'forbidden');
      assert.equal((await t.request(path, { method })).status, 401);
    }
    assert.equal((await dlq()).size, 1, 'nothing changed');
  });

  it('unknown ids answer 404 not_found; a bad limit 400', async () => {
    for (const [method, path] of [['POST', '/api/admin/dlq/no-such-letter/retry'], ['DELETE', '/api/admin/dlq/no-such-letter']] as const) {
      const res = await t.request(path, { method, token: admin });
      assert.equal(res.status, 404);
      const body = await res.json();
      assert.equal(body.error_type, 'not_found');
      assert.match(body.error, /Dead letter not found/);
    }
    assert.equal((await t.request('/api/admin/dlq?limit=0', { token: admin })).status, 400);
  });

  it('retry: the job runs again (409 while it runs); failing again updates the same letter, never a second one', async () => {
    const res = await t.request(`/api/admin/dlq/${letterId}/retry`, { method: 'POST', token: admin });
    assert.equal(res.status, 202, await res.clone().text());
    const retried = await res.json();
    assert.equal(retried.id, letterId);
    assert.equal(retried.retries, 1);
    assert.ok(['queued', 'processing'].includes(retried.manual_status));
    const twice = await t.request(`/api/admin/dlq/${letterId}/retry`, { method: 'POST', token: admin });
    assert.equal(twice.status, 409);
    assert.equal((await twice.json()).error_type, 'conflict');

    const again = await t.waitForJob(alice, stuck.job_id, 60_000);
    assert.equal(again.status, 'failed');
    assert.equal(again.attempts, 3);
    const list = await dlq();
    assert.equal(list.size, 1);
    assert.equal(list.dead_letters[0]!.id, letterId);
    assert.equal(list.dead_letters[0]!.retries, 1);
    assert.equal(list.dead_letters[0]!.attempts, 3);
  });

  it('drop: the letter goes, the manual stays failed with its reason; dropping again is 404', async () => {
    const res = await t.request(`/api/admin/dlq/${letterId}`, { method: 'DELETE', token: admin });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.success, true);
    assert.equal(body.dead_letter.id, letterId);
    assert.equal((await dlq()).size, 0);
    const manual = await (await t.request(`/api/manuals/${stuck.manual_id}`, { token: alice })).json();
    assert.equal(manual.status, 'failed');
    assert.equal(manual.error, 'pdf_timeout');
    assert.equal((await t.request(`/api/admin/dlq/${letterId}`, { method: 'DELETE', token: admin })).status, 404);
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    assert.ok(doc.paths['/api/admin/dlq']?.get);
    assert.ok(doc.paths['/api/admin/dlq/{id}/retry']?.post);
    assert.ok(doc.paths['/api/admin/dlq/{id}']?.delete);
  });
});

describe('API: dead-letter queue with EnableAdvancedErrorHandling off', () => {
  it('answers 503 unavailable to an admin (and 403 to a user)', async () => {
    const adminEmail = uniqueEmail('root');
    const t = await startTestServer({ parameters: { AdminEmail: adminEmail } });
    try {
      const admin = await t.signup(adminEmail);
      const res = await t.request('/api/admin/dlq', { token: admin });
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error_type, 'unavailable');
      assert.equal((await t.request('/api/admin/dlq', { token: await t.signup() })).status, 403);
    } finally {
      await t.close();
    }
  });
});
