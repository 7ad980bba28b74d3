import assert from 'node:assert/strict';
import { types } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Logger } from '../../src/core/ports/logger.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { uploadPdf } from '../helpers/ask-helpers.js';
import { FakeEmbedder } from '../helpers/fakes.js';
import { startOtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SERVER_KIND = 2;
const ERROR = 2;

const toaster = buildPdf([
  ['Resetting the toaster', 'Hold the reset button for three seconds until the light blinks twice.'],
  ['Cleaning', 'Empty the crumb tray once a week and wipe the slots with a dry cloth.'],
]);

/** A pino logger whose JSON lines the test reads back. */
function capturedLogger() {
  const lines: Record<string, any>[] = [];
  const logger = pino({ level: 'info', base: { service: 'manuel' } }, { write: (line: string) => void lines.push(JSON.parse(line)) }) as unknown as Logger;
  return { logger, lines };
}

interface Sent {
  status: number;
  requestId: string;
  traceparent: string | null;
  body: Record<string, any>;
}

async function send(t: TestServer, path: string, init: { token: string; json?: unknown; traceparent?: string }): Promise<Sent> {
  const res = await t.request(path, { token: init.token, json: init.json, headers: init.traceparent ? { traceparent: init.traceparent } : {} });
  return { status: res.status, requestId: res.headers.get('x-request-id')!, traceparent: res.headers.get('traceparent'), body: (await res.json()) as Record<string, any> };
}

const spanIdOf = (traceparent: string | null) => traceparent?.split('-')[2];
const traceIdOf = (traceparent: string | null) => traceparent?.split('-')[1];

/** The spans of one trace, with helpers to walk it. */
function traceOf(all: ReceivedSpan[], traceId: string) {
  const spans = all.filter((s) => s.traceId === traceId);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const named = (name: string) => spans.filter((s) => s.name === name);
  const one = (name: string) => {
    const found = named(name);
    assert.equal(found.length, 1, `one ${name} span in ${spans.map((s) => s.name).join(', ')}`);
    return found[0]!;
  };
  const parentName = (s: ReceivedSpan) => (s.parentSpanId ? byId.get(s.parentSpanId)?.name : undefined);
  const isUnder = (s: ReceivedSpan, ancestor: ReceivedSpan): boolean => {
    for (let p = s.parentSpanId; p; p = byId.get(p)?.parentSpanId) if (p === ancestor.spanId) return true;
    return false;
  };
  return { spans, named, one, parentName, isUnder };
}

describe('tracing on (EnableXRayTracing): one question, one trace, exported over OTLP/HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let t: TestServer;
  const logs = capturedLogger();
  const embedder = new FakeEmbedder();
  let manualId = '';
  let asked: Sent;
  let listed: Sent;
  let degraded: Sent;
  let broken: Sent;
  let notModified: Response;

  before(async () => {
    receiver = await startOtlpReceiver();
    t = await startTestServer({ parameters: { EnableXRayTracing: true, TracingSampleRate: 1, OtelExporterEndpoint: receiver.url }, logger: logs.logger, embedder });
    const token = await t.signup();
    manualId = await uploadPdf(t, token, toaster, 'toaster.pdf');
    asked = await send(t, '/api/query', { token, json: { question: 'How do I reset the toaster?' }, traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    listed = await send(t, `/api/manuals/${manualId}`, { token, traceparent: 'garbage' });
    const page = await t.request(`/api/manuals/${manualId}/pages/1.png`, { token });
    await page.arrayBuffer();
    notModified = await t.request(`/api/manuals/${manualId}/pages/1.png`, { token, headers: { 'if-none-match': page.headers.get('etag')! } });
    // The question's embedding fails: keyword search still answers, the failed call shows in the trace.
    embedder.failOnCall = embedder.calls.length + 1;
    degraded = await send(t, '/api/query', { token, json: { question: 'How do I clean the crumb tray?' } });
    // The answer writer throws: a 500, and a failed root span.
    const services = t.server.services;
    const writer = services.answerWriter;
    services.answerWriter = { id: 'broken', write: async () => Promise.reject(new Error('writer down')) };
    // The same question as the first, but the writer's id is part of the cache key: not a cache hit.
    broken = await send(t, '/api/query', { token, json: { question: 'How do I reset the toaster?' } });
    services.answerWriter = writer;
    // Spans are exported in batches: closing the server flushes what is queued.
    await t.close();
  });
  after(() => receiver.close());

  it('answers as usual, with the caller\'s trace id in the traceparent response header', () => {
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.equal(asked.body.context_found, true);
    assert.match(asked.traceparent ?? '', new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    assert.ok(receiver.requests.every((r) => r.path === '/v1/traces' && r.contentType === 'application/json'));
  });

  it('makes the HTTP span the root of the question, with retrieval legs, answer writer and storage calls below it', () => {
    const tr = traceOf(receiver.spans, CALLER_TRACE);
    const root = tr.one('POST /api/query');
    assert.equal(root.spanId, spanIdOf(asked.traceparent), 'the response header names the root span');
    assert.equal(root.parentSpanId, CALLER_SPAN, 'the incoming traceparent is the parent');
    assert.equal(root.kind, SERVER_KIND);
    assert.equal(root.service, 'manuel');
    assert.deepEqual(
      [root.attributes['http.route'], root.attributes['http.request.method'], root.attributes['http.response.status_code']],
      ['/api/query', 'POST', 200],
    );
    const retrieve = tr.one('retrieve');
    assert.equal(tr.parentName(retrieve), 'POST /api/query');
    for (const leg of ['retrieve.keyword', 'retrieve.vector', 'retrieve.fusion']) assert.equal(tr.parentName(tr.one(leg)), 'retrieve', leg);
    const searches = tr.named('kb.search');
    assert.deepEqual(searches.map((s) => `${tr.parentName(s)}:${s.attributes['kb.leg']}`).sort(), ['retrieve.keyword:keyword', 'retrieve.vector:vector']);
    assert.equal(tr.parentName(tr.one('embedder.embed')), 'retrieve.vector', 'the question is embedded in the vector leg');
    assert.ok(tr.one('retrieve.fusion').attributes['retrieve.candidates']! as number >= 1);
    const writer = tr.one('answer_writer.write');
    assert.equal(writer.attributes['answer_writer.id'], 'extractive');
    for (const name of ['kb.documentFrequencies', 'kb.pageChunks', 'cache.get', 'cache.set', 'manual_versions.read', 'usage_counters.checkAndCount', 'answer_writer.write']) {
      assert.ok(tr.named(name).length >= 1, `a ${name} span`);
      for (const span of tr.named(name)) assert.ok(tr.isUnder(span, root), `${name} under the HTTP span`);
    }
    for (const s of tr.spans) if (s !== root) assert.ok(tr.isUnder(s, root), `${s.name} is a descendant of the root`);
  });

  it('puts the request id on every span and the trace id on the request\'s log lines', () => {
    const tr = traceOf(receiver.spans, CALLER_TRACE);
    assert.ok(tr.spans.length >= 12, `${tr.spans.length} spans`);
    for (const s of tr.spans) assert.equal(s.attributes['manuel.request_id'], asked.requestId, s.name);
    const line = logs.lines.find((l) => l.msg === 'request' && l.req_id === asked.requestId);
    assert.ok(line, 'the request log line');
    assert.equal(line.trace_id, CALLER_TRACE);
    assert.equal(line.span_id, spanIdOf(asked.traceparent));
    assert.equal(line.path, '/api/query');
  });

  it('starts a trace of its own for a malformed traceparent, and names spans by route template', () => {
    assert.equal(listed.status, 200);
    const traceId = traceIdOf(listed.traceparent)!;
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(traceId, CALLER_TRACE);
    const root = traceOf(receiver.spans, traceId).one('GET /api/manuals/:id');
    assert.equal(root.parentSpanId, undefined);
    assert.equal(root.attributes['http.route'], '/api/manuals/:id');
    assert.equal(root.attributes['url.path'], `/api/manuals/${manualId}`);
    assert.equal(root.attributes['manuel.request_id'], listed.requestId);
  });

  it('sends traceparent on a response its handler built itself (304)', () => {
    assert.equal(notModified.status, 304);
    assert.match(notModified.headers.get('traceparent') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const root = traceOf(receiver.spans, traceIdOf(notModified.headers.get('traceparent'))!).one('GET /api/manuals/:id/pages/:page');
    assert.equal(root.attributes['http.response.status_code'], 304);
  });

  it('marks a failed call failed while the request it served succeeds', () => {
    assert.equal(degraded.status, 200);
    const tr = traceOf(receiver.spans, traceIdOf(degraded.traceparent)!);
    const embed = tr.one('embedder.embed');
    assert.equal(embed.status.code, ERROR);
    assert.deepEqual(embed.events.map((e) => e.name), ['exception']);
    assert.equal(
      tr.named('kb.search').filter((s) => tr.parentName(s) === 'retrieve.vector').length,
      0,
      'the vector leg searches nothing without a question vector',
    );
    assert.equal(tr.one('retrieve.keyword').status.code, 0);
    assert.notEqual(tr.one('POST /api/query').status.code, ERROR);
  });

  it('marks the root span of a 5xx failed, with the error', () => {
    assert.equal(broken.status, 500, JSON.stringify(broken.body));
    const tr = traceOf(receiver.spans, traceIdOf(broken.traceparent)!);
    const root = tr.one('POST /api/query');
    assert.equal(root.status.code, ERROR);
    assert.equal(root.attributes['error.type'], '500');
    assert.equal(root.attributes['http.response.status_code'], 500);
    assert.deepEqual(root.events.map((e) => e.name), ['exception']);
    const line = logs.lines.find((l) => l.msg === 'request' && l.req_id === broken.requestId);
    assert.equal(line?.trace_id, traceIdOf(broken.traceparent));
  });

  it('traces each ingestion as a job span with its steps', () => {
    const jobs = receiver.spans.filter((s) => s.name === 'ingest' && s.attributes['manual.id'] === manualId);
    assert.equal(jobs.length, 1);
    const job = jobs[0]!;
    assert.equal(job.parentSpanId, undefined, 'a job is a trace of its own');
    assert.equal(job.attributes.pages, 2);
    assert.ok((job.attributes.chunks as number) >= 2);
    const tr = traceOf(receiver.spans, job.traceId);
    for (const step of ['ingest.inspect', 'ingest.extract', 'ingest.chunk', 'ingest.index', 'ingest.embed']) assert.equal(tr.parentName(tr.one(step)), 'ingest', step);
    assert.equal(tr.parentName(tr.one('kb.indexChunks')), 'ingest.index');
    assert.ok(tr.named('embedder.embed').every((s) => tr.parentName(s) === 'ingest.embed'));
    assert.ok(tr.named('kb.putVectors').length >= 1);
    assert.equal(tr.parentName(tr.one('blobs.get')), 'ingest');
  });
});

describe('tracing on with the default sample rate (the first request of each second, then 5 %)', () => {
  it('under a burst, exports the spans of a few requests only; every response and log line still has its trace id', async () => {
    const receiver = await startOtlpReceiver();
    const logs = capturedLogger();
    const t = await startTestServer({ parameters: { EnableXRayTracing: true, OtelExporterEndpoint: receiver.url }, logger: logs.logger });
    let closed = false;
    try {
      const token = await t.signup();
      await uploadPdf(t, token, toaster, 'toaster.pdf');
      // The burst starts a new second: its reservoir trace is not taken by the upload's requests.
      await new Promise((r) => setTimeout(r, 1005 - (Date.now() % 1000)));
      const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => send(t, '/api/query', { token, json: { question: `How do I reset the toaster? (${i})` } })));
      await t.close(); // flushes the batch processor
      closed = true;
      for (const r of sent) {
        assert.equal(r.status, 200);
        assert.match(r.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      }
      const sampled = sent.filter((r) => r.traceparent!.endsWith('-01'));
      const roots = receiver.spans.filter((s) => s.name === 'POST /api/query');
      assert.equal(roots.length, sampled.length, 'a sampled response names an exported trace, an unsampled one does not');
      assert.ok(sampled.length >= 1 && sampled.length < 20, `${sampled.length} of 40 sampled`);
      for (const r of sent) {
        const line = logs.lines.find((l) => l.msg === 'request' && l.req_id === r.requestId);
        assert.ok(line, `a log line for ${r.requestId}`);
        assert.equal(line.trace_id, r.traceparent!.split('-')[1]);
      }
    } finally {
      if (!closed) await t.close();
      await receiver.close();
    }
  });
});

describe('tracing on, collector unreachable or stuck', () => {
  for (const mode of ['refused', 'hang'] as const) {
    it(`answers, and closes (the flush gives up after its timeout), when the collector ${mode === 'hang' ? 'never answers' : 'refuses connections'}`, async () => {
      const receiver = await startOtlpReceiver({ mode: 'hang' });
      let endpoint = receiver.url;
      if (mode === 'refused') {
        await receiver.close(); // nothing listens on that port any more
      }
      const t = await startTestServer({ parameters: { EnableXRayTracing: true, TracingSampleRate: 1, OtelExporterEndpoint: endpoint } });
      try {
        const token = await t.signup();
        await uploadPdf(t, token, toaster, 'toaster.pdf');
        const r = await send(t, '/api/query', { token, json: { question: 'How do I reset the toaster?' } });
        assert.equal(r.status, 200);
        assert.match(r.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      } finally {
        await t.close();
        if (mode === 'hang') {
          assert.ok(receiver.requests.length >= 1, 'the export was attempted');
          await receiver.close();
        }
      }
    });
  }
});

describe('tracing off (minimal profile)', () => {
  it('registers no middleware, no decorator, no tracer, and logs no trace ids', async () => {
    const logs = capturedLogger();
    const t = await startTestServer({ logger: logs.logger });
    try {
      const services = t.server.services;
      assert.equal(services.tracer, undefined);
      for (const adapter of [services.kb, services.blobs, services.cache, services.answerWriter, services.counters]) assert.equal(types.isProxy(adapter), false);
      const token = await t.signup();
      const res = await t.request('/api/manuals', { token, headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('traceparent'), null);
      const line = logs.lines.find((l) => l.msg === 'request' && l.path === '/api/manuals');
      assert.ok(line);
      assert.equal('trace_id' in line, false);
    } finally {
      await t.close();
    }
  });
});
