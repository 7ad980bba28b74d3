import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { OtelTracer, REQUEST_ID_ATTRIBUTE, tracesUrl } from './otel-tracer.js';

function setup() {
  const exporter = new InMemorySpanExporter();
  const tracer = new OtelTracer({ exporter, version: '1.2.3' });
  const spans = () => exporter.getFinishedSpans();
  const byName = (name: string): ReadableSpan => {
    const found = spans().filter((s) => s.name === name);
    assert.equal(found.length, 1, `one span named ${name}: ${spans().map((s) => s.name).join(', ')}`);
    return found[0]!;
  };
  return { tracer, spans, byName };
}
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe('OtelTracer', () => {
  it('makes a span started inside another one its child, across awaits and in parallel', async () => {
    const { tracer, byName } = setup();
    await tracer.span('outer', { k: 'v' }, async () => {
      await Promise.all(
        ['a', 'b'].map((n) =>
          tracer.span(`leg-${n}`, undefined, async () => {
            await new Promise((r) => setTimeout(r, n === 'a' ? 20 : 5));
            await tracer.span(`call-${n}`, undefined, async () => undefined);
          }),
        ),
      );
      tracer.step('sync').end({ items: 3 });
    });
    const outer = byName('outer');
    assert.equal(parentOf(outer), undefined);
    assert.equal(outer.attributes.k, 'v');
    for (const n of ['a', 'b']) {
      assert.equal(parentOf(byName(`leg-${n}`)), outer.spanContext().spanId);
      assert.equal(parentOf(byName(`call-${n}`)), byName(`leg-${n}`).spanContext().spanId, `call-${n} under its own leg`);
    }
    assert.equal(parentOf(byName('sync')), outer.spanContext().spanId);
    assert.equal(byName('sync').attributes.items, 3);
    assert.equal(outer.resource.attributes['service.name'], 'manuel');
    assert.equal(outer.resource.attributes['service.version'], '1.2.3');
  });

  it('marks a span whose function throws as failed, with the exception', async () => {
    const { tracer, byName } = setup();
    await assert.rejects(tracer.span('boom', undefined, async () => Promise.reject(new TypeError('bad'))), TypeError);
    const s = byName('boom');
    assert.equal(s.status.code, SpanStatusCode.ERROR);
    assert.equal(s.status.message, 'bad');
    assert.equal(s.events[0]?.name, 'exception');
    assert.equal(s.events[0]?.attributes?.['exception.type'], 'TypeError');
  });

  it('continues the trace of an incoming traceparent, names the server span by route, and puts the request id on every span', async () => {
    const { tracer, byName, spans } = setup();
    let traceparent = '';
    await tracer.request({ method: 'POST', path: '/api/query', requestId: 'req-1', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, async (server) => {
      traceparent = server.traceparent;
      assert.equal(server.traceId, CALLER_TRACE);
      await tracer.span('retrieve', undefined, async () => tracer.step('fusion').end());
      server.finish('/api/query', 200);
    });
    const root = byName('POST /api/query');
    assert.equal(root.kind, SpanKind.SERVER);
    assert.equal(root.spanContext().traceId, CALLER_TRACE);
    assert.equal(parentOf(root), CALLER_SPAN);
    assert.equal(traceparent, `00-${CALLER_TRACE}-${root.spanContext().spanId}-01`);
    assert.equal(root.attributes['http.route'], '/api/query');
    assert.equal(root.attributes['http.response.status_code'], 200);
    assert.equal(root.attributes['http.request.method'], 'POST');
    assert.equal(root.status.code, SpanStatusCode.UNSET);
    assert.equal(spans().length, 3);
    for (const s of spans()) {
      assert.equal(s.attributes[REQUEST_ID_ATTRIBUTE], 'req-1', s.name);
      assert.equal(s.spanContext().traceId, CALLER_TRACE, s.name);
    }
  });

  it('starts a new trace when the incoming traceparent is malformed', async () => {
    const { tracer, spans } = setup();
    for (const bad of ['garbage', `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`, `00-${CALLER_TRACE}-${CALLER_SPAN}`]) {
      await tracer.request({ method: 'GET', path: '/health', requestId: bad, traceparent: bad }, async (server) => {
        assert.notEqual(server.traceId, CALLER_TRACE);
        assert.match(server.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        server.finish('/health', 200);
      });
    }
    const roots = spans().filter((s) => s.name === 'GET /health');
    assert.equal(roots.length, 3);
    assert.ok(roots.every((s) => parentOf(s) === undefined));
    assert.equal(new Set(roots.map((s) => s.spanContext().traceId)).size, 3, 'three separate traces');
  });

  it('follows a caller that did not sample: same trace id, nothing recorded', async () => {
    const { tracer, spans } = setup();
    await tracer.request({ method: 'GET', path: '/x', requestId: 'r', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-00` }, async (server) => {
      assert.match(server.traceparent, new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-00$`));
      await tracer.span('child', undefined, async () => undefined);
      server.finish('/x', 200);
    });
    assert.equal(spans().length, 0);
  });

  it('with a sample rate, records the first request of the second and skips the spans of requests left out, which keep their trace ids', async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new OtelTracer({ exporter, sampleRate: 0 });
    const seen: { traceparent: string; log?: { trace_id: string } }[] = [];
    for (let i = 0; i < 5; i++) {
      await tracer.request({ method: 'POST', path: '/api/query', requestId: `r${i}` }, async (server) => {
        await tracer.span('retrieve', undefined, async (span) => {
          span.setAttributes({ hits: 3 });
          tracer.step('fusion').end({ candidates: 2 });
          await tracer.span('kb.search', undefined, async () => undefined);
        });
        seen.push({ traceparent: server.traceparent, log: tracer.logFields() });
        server.finish('/api/query', 200);
      });
    }
    const names = exporter.getFinishedSpans().map((s) => s.name).sort();
    // The test may straddle a second boundary: then two requests use the reservoir.
    assert.ok(names.length === 4 || names.length === 8, names.join(', '));
    assert.deepEqual(names.slice(0, 4), ['POST /api/query', 'fusion', 'kb.search', 'retrieve']);
    assert.match(seen[0]!.traceparent, /-01$/);
    const skipped = seen.filter((s) => s.traceparent.endsWith('-00'));
    assert.ok(skipped.length >= 3);
    for (const s of skipped) assert.equal(s.log?.trace_id, s.traceparent.split('-')[1], 'log lines still carry the trace id');
    // A caller that sampled is recorded whatever the rate.
    await tracer.request({ method: 'GET', path: '/y', requestId: 'c', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, async (server) => {
      await tracer.span('child', undefined, async () => undefined);
      server.finish('/y', 200);
    });
    assert.equal(exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === CALLER_TRACE).length, 2);
  });

  it('fails the server span on 5xx (with the error), not on 4xx', async () => {
    const { tracer, spans } = setup();
    await tracer.request({ method: 'GET', path: '/a', requestId: 'r1' }, async (s) => s.finish('/a', 404, new Error('not found')));
    await tracer.request({ method: 'GET', path: '/b', requestId: 'r2' }, async (s) => s.finish('/b', 503, new Error('down')));
    const [a, b] = spans();
    assert.equal(a!.status.code, SpanStatusCode.UNSET);
    assert.equal(a!.events.length, 0);
    assert.equal(b!.status.code, SpanStatusCode.ERROR);
    assert.equal(b!.attributes['error.type'], '503');
    assert.equal(b!.events[0]?.name, 'exception');
  });

  it('gives log fields of the active span only', async () => {
    const { tracer, byName } = setup();
    assert.equal(tracer.logFields(), undefined);
    let inside: unknown;
    await tracer.span('logged', undefined, async () => {
      await new Promise((r) => setImmediate(r));
      inside = tracer.logFields();
    });
    const s = byName('logged').spanContext();
    assert.deepEqual(inside, { trace_id: s.traceId, span_id: s.spanId });
    assert.equal(tracer.logFields(), undefined);
  });

  it('derives the OTLP traces URL from a base URL', () => {
    assert.equal(tracesUrl('http://collector:4318'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('http://collector:4318/'), 'http://collector:4318/v1/traces');
    assert.equal(tracesUrl('https://x.example/otlp/v1/traces'), 'https://x.example/otlp/v1/traces');
  });
});
