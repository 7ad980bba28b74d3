import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { intercept } from '../../src/adapters/metrics/intercept.js';
import { printerPdf } from '../helpers/api-pdfs.js';
import { uploadPdf } from '../helpers/ask-helpers.js';
import { ManualClock } from '../helpers/fakes.js';
import { RecordingNotifier } from '../helpers/monitoring-fakes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MIN = 60_000;

const upload = (t: TestServer, token: string) => uploadPdf(t, token, printerPdf(), 'printer.pdf');

/** The value of one sample line of the exposition (`name{labels}`), or null when absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

/** A fake clock at 10 s past a minute boundary, near now (so JWTs and usage days stay real). */
const minuteClock = () => new ManualClock(Math.floor(Date.now() / MIN) * MIN + 10_000);

/** Makes GET /api/manuals fail (a broken database read) until the returned function is called. */
function breakManualList(t: TestServer): () => void {
  const services = t.server.services;
  const real = services.manuals;
  services.manuals = intercept(real, { list: async () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) });
  return () => (services.manuals = real);
}

describe('GET /metrics (minimal profile: always on)', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer({ parameters: { PriceQueryEur: 0.01 } });
    token = await t.signup(); // the first account: admin
  });
  after(() => t.close());

  it('counts requests by route template, ingestion, answers by cache status and cost by operation', async () => {
    for (const id of ['manual-aaa111', 'manual-bbb222']) assert.equal((await t.request(`/api/manuals/${id}`, { token })).status, 404);
    await upload(t, token);
    for (let i = 0; i < 2; i++) assert.equal((await t.request('/api/query', { token, json: { question: 'How do I replace the toner?' } })).status, 200);

    const res = await t.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.equal(sample(text, 'manuel_http_requests_total{route="/api/manuals/:id",method="GET",status="404"}'), 2);
    assert.doesNotMatch(text, /manual-aaa111|manual-bbb222/, 'never the raw path');
    assert.equal(sample(text, 'manuel_http_requests_total{route="/api/query",method="POST",status="200"}'), 2);
    assert.match(text, /^manuel_http_request_duration_seconds_bucket\{le="0\.5",route="\/api\/query",method="POST"\} 2$/m);
    assert.equal(sample(text, 'manuel_answers_total{cache_status="miss"}'), 1);
    assert.equal(sample(text, 'manuel_answers_total{cache_status="hit"}'), 1);
    assert.equal(sample(text, 'manuel_cost_eur_total{operation="query"}'), 0.02);
    assert.equal(sample(text, 'manuel_usage_events_total{operation="upload"}'), 1);
    assert.equal(sample(text, 'manuel_pages_ingested_total'), 2);
    assert.ok(sample(text, 'manuel_chunks_indexed_total')! >= 2);
    assert.equal(sample(text, 'manuel_ingest_jobs_total{event="completed"}'), 1);
    assert.equal(sample(text, 'manuel_ingest_queue_depth'), 0);
    assert.equal(sample(text, 'manuel_embedding_backlog_chunks'), 0);
    assert.doesNotMatch(text, /^manuel_dlq_size\{/m, 'no DLQ in the minimal profile: no series, not a false 0');
    assert.doesNotMatch(text, /^process_cpu_user_seconds_total/m, 'process metrics come with monitoring only');
  });

  it('has no dashboard data: monitoring is off (503 with a code)', async () => {
    const res = await t.request('/api/admin/dashboard', { token });
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.error_type, 'unavailable');
    assert.match(body.error, /EnableAdvancedErrorHandling or EnableXRayTracing/);
  });
});

describe('GET /metrics with MetricsToken', () => {
  let t: TestServer;
  before(async () => (t = await startTestServer({ parameters: { MetricsToken: 'scrape-secret-1234' } })));
  after(() => t.close());

  it('refuses a scrape without the token, with a wrong one, or with another scheme: 401 with a code', async () => {
    for (const authorization of [undefined, 'Bearer scrape-secret-123', 'Bearer scrape-secret-12345', 'Basic c2NyYXBlLXNlY3JldC0xMjM0', 'Bearer ']) {
      const res = await t.request('/metrics', { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
      const body = await res.json();
      assert.equal(body.error_type, 'unauthorized');
      assert.ok(body.request_id);
    }
  });

  it('serves Prometheus with the right token', async () => {
    const res = await t.request('/metrics', { headers: { authorization: 'Bearer scrape-secret-1234' } });
    assert.equal(res.status, 200);
    assert.ok(sample(await res.text(), 'manuel_http_requests_total{route="/metrics",method="GET",status="401"}')! >= 5);
  });
});

describe('monitoring on: alarms and dashboard data', () => {
  let t: TestServer;
  const clock = minuteClock();
  const notifier = new RecordingNotifier();
  let admin: string;
  before(async () => {
    t = await startTestServer({ parameters: { EnableAdvancedErrorHandling: true, PriceQueryEur: 0.6, RequestCostThreshold: 0.5 }, monitoring: { clock, start: false } });
    t.server.services.ops.notifier = notifier;
    admin = await t.signup(); // the first account is the admin
  });
  after(() => t.close());

  it('a 5xx burst raises ErrorRateThreshold (one notification), which clears once the window has passed', async () => {
    const monitor = t.server.services.ops.monitor!;
    const restore = breakManualList(t);
    for (let i = 0; i < 25; i++) assert.equal((await t.request('/api/manuals', { token: admin })).status, 500);
    restore();
    clock.advance(MIN);
    await monitor.tick();
    assert.deepEqual(notifier.alarms(), ['ErrorRateThreshold:alarm']);
    assert.match(notifier.events[0]!.title, /ErrorRateThreshold/);

    const dash = await (await t.request('/api/admin/dashboard?minutes=5', { token: admin })).json();
    const rate = dash.alarms.find((a: { name: string }) => a.name === 'ErrorRateThreshold');
    assert.equal(rate.state, 'alarm');
    assert.ok(rate.value > 90, `value ${rate.value}`);
    assert.equal(dash.series.errors_5xx.reduce((a: number, b: number) => a + b, 0), 25);

    clock.advance(MIN);
    await monitor.tick();
    assert.equal(notifier.alarms().length, 1, 'not raised twice');
    clock.advance(5 * MIN);
    await monitor.tick();
    assert.deepEqual(notifier.alarms(), ['ErrorRateThreshold:alarm', 'ErrorRateThreshold:ok']);
    const text = await (await t.request('/metrics')).text();
    assert.equal(sample(text, 'manuel_http_requests_total{route="/api/manuals",method="GET",status="500"}'), 25);
    assert.match(text, /^process_cpu_user_seconds_total /m);
  });

  it('ingestion, answers, cost per day and a costly request reach the dashboard and the RequestCostThreshold alarm', async () => {
    const monitor = t.server.services.ops.monitor!;
    await upload(t, admin);
    assert.equal((await t.request('/api/query', { token: admin, json: { question: 'How do I clear a paper jam?' } })).status, 200);
    const live = await (await t.request('/api/admin/dashboard?minutes=1', { token: admin })).json();
    assert.deepEqual([live.series.jobs_queued[0], live.series.pages_ingested[0], live.series.answers[0], live.series.cache_misses[0]], [1, 2, 1, 1]);
    assert.equal(live.cache_hit_rate, 0);
    assert.deepEqual(
      live.cost_by_day.filter((d: { operation: string }) => d.operation === 'query').map((d: { eur: number; count: number }) => [d.eur, d.count]),
      [[0.6, 1]],
    );
    clock.advance(MIN);
    await monitor.tick();
    assert.ok(notifier.alarms().includes('RequestCostThreshold:alarm'));
    const after = await (await t.request('/api/admin/dashboard?minutes=2', { token: admin })).json();
    assert.deepEqual(after.series.pages_ingested, [2, 0], 'the flushed minute, then the current one');
    assert.equal(after.series.queue_depth[0], 0, 'sampled at the end of the minute');
  });

  it('the dashboard is for admins only, and validates its window', async () => {
    const other = await t.signup();
    const refused = await t.request('/api/admin/dashboard', { token: other });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).error_type, 'forbidden');
    assert.equal((await t.request('/api/admin/dashboard')).status, 401);
    for (const m of ['0', '10081', 'abc', '1.5']) {
      const res = await t.request(`/api/admin/dashboard?minutes=${m}`, { token: admin });
      assert.equal(res.status, 400, m);
      assert.equal((await res.json()).error_type, 'validation_error');
    }
    const week = await (await t.request('/api/admin/dashboard?minutes=10080', { token: admin })).json();
    assert.equal(week.series.t.length, 10080);
    assert.equal(week.series.t[10079], Math.floor(clock.now().getTime() / MIN) * 60);
    const byDefault = await (await t.request('/api/admin/dashboard', { token: admin })).json();
    assert.equal(byDefault.window_minutes, 180);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    assert.ok(doc.paths['/api/admin/dashboard'].get);
    assert.ok(doc.paths['/metrics'].get);
    assert.ok(doc.components.schemas.Dashboard);
  });
});

describe('monitoring across a restart', () => {
  it('the dashboard still has the earlier minutes, and an alarm raised before the restart is not raised again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-monitor-'));
    const parameters = { EnableAdvancedErrorHandling: true };
    try {
      const clock = minuteClock();
      const burstMinute = Math.floor(clock.now().getTime() / MIN) * 60;
      const first = await startTestServer({ dataDir, parameters, monitoring: { clock, start: false } });
      const firstNotifier = new RecordingNotifier();
      first.server.services.ops.notifier = firstNotifier;
      const admin = await first.signup();
      const restore = breakManualList(first);
      for (let i = 0; i < 25; i++) await first.request('/api/manuals', { token: admin });
      restore();
      for (let i = 0; i < 5; i++) assert.equal((await first.request('/api/manuals', { token: admin })).status, 200);
      clock.advance(MIN);
      await first.server.services.ops.monitor!.tick();
      assert.deepEqual(firstNotifier.alarms(), ['ErrorRateThreshold:alarm']);
      await first.close(); // flushes the minute in progress too

      const later = new ManualClock(clock.now().getTime() + MIN);
      const second = await startTestServer({ dataDir, parameters, monitoring: { clock: later, start: false } });
      try {
        const notifier = new RecordingNotifier();
        second.server.services.ops.notifier = notifier;
        await second.server.services.ops.monitor!.tick();
        assert.deepEqual(notifier.alarms(), [], 'already raised before the restart');
        const dash = await (await second.request('/api/admin/dashboard?minutes=10', { token: admin })).json();
        const i = dash.series.t.indexOf(burstMinute);
        assert.ok(i >= 0);
        assert.equal(dash.series.requests[i], 31, 'sign-up, 25 failures, 5 successes');
        assert.equal(dash.series.errors_5xx[i], 25);
        assert.ok(dash.series.p95_ms[i] > 0);
        assert.equal(dash.alarms.find((a: { name: string }) => a.name === 'ErrorRateThreshold').state, 'alarm');
        later.advance(5 * MIN);
        await second.server.services.ops.monitor!.tick();
        assert.deepEqual(notifier.alarms(), ['ErrorRateThreshold:ok']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
