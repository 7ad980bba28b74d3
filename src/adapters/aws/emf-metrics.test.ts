import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { dimensionsOf, EmfMetrics, unitOf, DEFAULT_DIMENSION_LABELS } from './emf-metrics.js';

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [k: string]: unknown;
}

/** Runs fn with process.stdout captured; returns the EMF documents printed. */
function captureEmf(fn: () => void): Emf[] {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return lines.map((l) => JSON.parse(l) as Emf).filter((d) => d._aws);
}

const metricOf = (doc: Emf) => doc._aws.CloudWatchMetrics[0]!;

describe('EmfMetrics (CloudWatch Embedded Metric Format through Powertools)', () => {
  it('prints one document per dimension set: counts summed, latencies in Seconds, status as its class, ids never a dimension', () => {
    const logger = new MemoryLogger();
    const m = new EmfMetrics({ namespace: 'ManuelTest', logger });
    const docs = captureEmf(() => {
      m.count('http_requests_total', { route: '/api/manuals/:id', method: 'GET', status: '200', user_id: 'u-123' });
      m.count('http_requests_total', { route: '/api/manuals/:id', method: 'GET', status: '204', user_id: 'u-456' });
      m.count('http_requests_total', { route: '/api/query', method: 'POST', status: '503' });
      m.observe('http_request_duration_seconds', 0.25, { route: '/api/manuals/:id', method: 'GET' });
      m.observe('http_request_duration_seconds', 0.5, { route: '/api/manuals/:id', method: 'GET' });
      m.count('answers_total', { cache_status: 'hit' });
      m.count('cost_eur_total', { operation: 'query' }, 0.0042);
      m.flush();
    });
    assert.ok(docs.length >= 4);
    for (const d of docs) {
      assert.equal(metricOf(d).Namespace, 'ManuelTest');
      assert.equal(d.service, 'manuel');
      assert.ok(!JSON.stringify(d).includes('u-123') && !JSON.stringify(d).includes('user_id'), 'no user id anywhere in the document');
      assert.ok(typeof d._aws.Timestamp === 'number');
    }
    const ok = docs.find((d) => d.http_requests_total !== undefined && d.status_class === '2xx')!;
    assert.equal(ok.http_requests_total, 2, 'the two 2xx requests of one route are summed');
    assert.equal(ok.route, '/api/manuals/:id');
    assert.equal(ok.method, 'GET');
    assert.deepEqual(metricOf(ok).Metrics, [{ Name: 'http_requests_total', Unit: 'Count' }]);
    // The full set, the status-class rollup and the total: alarms cannot SEARCH across dimension values.
    assert.deepEqual(metricOf(ok).Dimensions, [
      ['service', 'route', 'method', 'status_class'],
      ['service'],
      ['service', 'status_class'],
    ]);
    const failed = docs.find((d) => d.status_class === '5xx')!;
    assert.equal(failed.http_requests_total, 1);
    assert.equal(failed.route, '/api/query');

    const latency = docs.find((d) => d.http_request_duration_seconds !== undefined)!;
    assert.deepEqual(latency.http_request_duration_seconds, [0.25, 0.5], 'every observation is kept: CloudWatch computes the percentiles');
    assert.deepEqual(metricOf(latency).Metrics, [{ Name: 'http_request_duration_seconds', Unit: 'Seconds' }]);
    assert.deepEqual(metricOf(latency).Dimensions, [['service', 'route', 'method'], ['service']]);

    const cache = docs.find((d) => d.answers_total !== undefined)!;
    assert.equal(cache.cache_status, 'hit');
    assert.deepEqual(metricOf(cache).Metrics, [{ Name: 'answers_total', Unit: 'Count' }]);
    const cost = docs.find((d) => d.cost_eur_total !== undefined)!;
    assert.equal(cost.cost_eur_total, 0.0042);
    assert.equal(metricOf(cost).Metrics[0]!.Unit, 'None');
    assert.deepEqual(logger.lines, [], 'no Powertools warning for the rollups');
  });

  it('a metric without labels is published under the service alone; nothing is printed when nothing was counted', () => {
    const m = new EmfMetrics();
    const docs = captureEmf(() => {
      m.count('requests_shed_total');
      m.flush();
      m.flush();
    });
    assert.equal(docs.length, 1);
    assert.deepEqual(metricOf(docs[0]!).Dimensions, [['service']]);
    assert.equal(metricOf(docs[0]!).Namespace, 'Manuel');
  });

  it('more than 100 observations of one metric go out in several documents, each with its dimensions', () => {
    const m = new EmfMetrics();
    const docs = captureEmf(() => {
      for (let i = 0; i < 250; i++) m.observe('ingest_job_seconds', i / 10, { event: 'completed' });
      m.count('ingest_jobs_total', { event: 'completed' }, 250);
      m.flush();
    });
    const values = docs.flatMap((d) => (d.ingest_job_seconds as number[] | undefined) ?? []);
    assert.equal(values.length, 250);
    assert.equal(docs.length, 3);
    for (const d of docs) assert.equal(d.event, 'completed');
    assert.equal(docs.filter((d) => d.ingest_jobs_total !== undefined).length, 1, 'the count goes out once');
  });

  it('flushes on its own past maxBuffered observations', () => {
    const m = new EmfMetrics({ maxBuffered: 10 });
    const docs = captureEmf(() => {
      for (let i = 0; i < 10; i++) m.observe('request_cost_eur', 0.001);
    });
    assert.equal(docs.length, 1);
    assert.equal((docs[0]!.request_cost_eur as number[]).length, 10);
  });

  it('value() sums this process\'s counts over the label sets not given', async () => {
    const m = new EmfMetrics();
    captureEmf(() => {
      m.count('ingest_jobs_total', { event: 'queued' });
      m.count('ingest_jobs_total', { event: 'queued' });
      m.count('ingest_jobs_total', { event: 'failed' });
      m.flush();
    });
    assert.equal(await m.value('ingest_jobs_total'), 3);
    assert.equal(await m.value('ingest_jobs_total', { event: 'queued' }), 2);
    assert.equal(await m.value('nothing_total'), 0);
    const port: import('../../core/ports/metrics.js').Metrics = m;
    assert.equal(port.gauge, undefined, 'a push backend has no gauges read at scrape time');
    assert.equal(port.scrape, undefined);
  });

  it('onCount tells its listener about every count with its labels (the Monitor counts answers by cache status)', () => {
    const m = new EmfMetrics();
    const seen: string[] = [];
    m.onCount((name, labels, n) => seen.push(`${name}:${labels.cache_status ?? '-'}:${n}`));
    captureEmf(() => {
      m.count('answers_total', { cache_status: 'hit' });
      m.count('cost_eur_total', { operation: 'query' }, 0.5);
      m.observe('http_request_duration_seconds', 0.1);
      m.flush();
    });
    assert.deepEqual(seen, ['answers_total:hit:1', 'cost_eur_total:-:0.5']);
  });
});

describe('EMF units and dimensions', () => {
  it('takes the unit from the name: Seconds vs Milliseconds, Bytes, Count, and None for money', () => {
    assert.equal(unitOf('http_request_duration_seconds', 'histogram'), 'Seconds');
    assert.equal(unitOf('transcribe_ms', 'histogram'), 'Milliseconds');
    assert.equal(unitOf('upload_bytes', 'histogram'), 'Bytes');
    assert.equal(unitOf('pages_ingested_total', 'counter'), 'Count');
    assert.equal(unitOf('cost_eur_total', 'counter'), 'None');
    assert.equal(unitOf('request_cost_eur', 'histogram'), 'None');
    assert.equal(unitOf('answer_score', 'histogram'), 'None');
  });

  it('keeps only low-cardinality labels; a breaker\'s `service` becomes `dependency`', () => {
    const allowed = new Set<string>(DEFAULT_DIMENSION_LABELS);
    assert.deepEqual(dimensionsOf({ service: 'bedrock', to: 'open' }, allowed), { dependency: 'bedrock', to: 'open' });
    assert.deepEqual(dimensionsOf({ status: '429', route: '/x' }, allowed), { status_class: '4xx', route: '/x' });
    assert.deepEqual(dimensionsOf({ status: 'weird', owner_id: 'alice', manual_id: 'm', request_id: 'r' }, allowed), {});
  });
});
