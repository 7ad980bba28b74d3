/**
 * XRayTracer with tracing really on: this process looks like a Lambda function with active tracing
 * (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, _X_AMZN_TRACE_ID), and the X-Ray daemon is a UDP socket of
 * the test on 127.0.0.1 (AWS_XRAY_DAEMON_ADDRESS), so the subsegments the SDK streams are read back
 * as the daemon would get them. The environment must be set before aws-xray-sdk-core is loaded (it
 * picks its Lambda mode at import), hence the dynamic imports; node --test runs each file in its
 * own process, so no other test sees it.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { tracerContract } from '../../../test/contract/tracer.contract.js';
import type { Tracer } from '../../core/ports/tracer.js';

interface XraySegmentDoc {
  id: string;
  name: string;
  trace_id: string;
  parent_id: string;
  type?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  error?: boolean;
  fault?: boolean;
  cause?: { exceptions?: { message: string }[] };
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  subsegments?: XraySegmentDoc[];
}

const TRACE = '1-5759e988-bd862e3fe1be46a994272793';
const FACADE_PARENT = '53995c3f42cd8ad8';
const received: XraySegmentDoc[] = [];
const daemon = createSocket('udp4');
daemon.on('message', (msg) => {
  // The daemon protocol: a JSON header line, then the segment document.
  const [header, body] = msg.toString('utf8').split('\n');
  assert.deepEqual(JSON.parse(header!), { format: 'json', version: 1 });
  received.push(JSON.parse(body!) as XraySegmentDoc);
});

let XRayTracer: typeof import('./xray-tracer.js').XRayTracer;
let tracer: import('./xray-tracer.js').XRayTracer;

before(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_LAMBDA_FUNCTION_NAME: 'manuel-query',
    _X_AMZN_TRACE_ID: `Root=${TRACE};Parent=${FACADE_PARENT};Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    POWERTOOLS_TRACE_ENABLED: 'true',
  });
  delete process.env.POWERTOOLS_DEV;
  ({ XRayTracer } = await import('./xray-tracer.js'));
  tracer = new XRayTracer({ serviceName: 'manuel-test' });
});
after(() => daemon.close());

/** Waits until the daemon got a (sub)segment of each name (UDP: order of arrival is not order of closing). */
async function documents(...names: string[]): Promise<XraySegmentDoc[]> {
  const deadline = Date.now() + 3000;
  while (!names.every((n) => byName(received).has(n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return [...received];
}

/** Every subsegment of the documents, nested ones included, by name. */
function byName(docs: XraySegmentDoc[]): Map<string, XraySegmentDoc> {
  const out = new Map<string, XraySegmentDoc>();
  const walk = (d: XraySegmentDoc) => {
    out.set(d.name, d);
    for (const s of d.subsegments ?? []) walk(s);
  };
  docs.forEach(walk);
  return out;
}

describe('XRayTracer on a simulated Lambda with active tracing (segments read from a local UDP daemon)', () => {
  it('is on', () => {
    assert.equal(tracer.enabled, true);
  });

  // The same contract suite as the OpenTelemetry tracer and the no-op one, with X-Ray really recording.
  tracerContract('XRayTracer (active tracing, UDP daemon)', () => tracer as Tracer);

  it('streams spans as subsegments of the invocation: nesting, parallel siblings, steps, attributes as metadata, errors', async () => {
    received.length = 0;
    const boom = new Error('bedrock throttled');
    await tracer.span('ask', { manual_count: 2, user_scoped: true, skipped: undefined }, async (span) => {
      span.setAttributes({ chunks: 8 });
      const step = tracer.step('rank', { n: 8 });
      step.end({ kept: 5 });
      await Promise.all([
        tracer.span('retrieve.keyword', undefined, async () => new Promise((r) => setTimeout(r, 15))),
        tracer.span('retrieve.vector', undefined, async () => new Promise((r) => setTimeout(r, 5))),
      ]);
      await assert.rejects(tracer.span('answer', undefined, async () => { throw boom; }), (e) => e === boom);
    });
    const docs = await documents('ask', 'rank', 'retrieve.keyword', 'retrieve.vector', 'answer');
    const all = byName(docs);
    const ask = all.get('ask')!;
    assert.ok(ask, `got ${[...all.keys()].join(', ')}`);
    assert.equal(ask.trace_id, TRACE);
    assert.ok(ask.end_time! >= ask.start_time);
    assert.deepEqual(ask.metadata?.manuel, { manual_count: 2, user_scoped: true, chunks: 8 });
    for (const child of ['rank', 'retrieve.keyword', 'retrieve.vector', 'answer']) {
      const c = all.get(child);
      assert.ok(c, `${child} recorded`);
      // A streamed subsegment names its parent; one sent inside its parent's document is nested in it.
      const nested = (ask.subsegments ?? []).some((s) => s.name === child);
      assert.ok(nested || c.parent_id === ask.id, `${child} is a child of ask`);
    }
    assert.deepEqual(all.get('rank')!.metadata?.manuel, { n: 8, kept: 5 });
    const answer = all.get('answer')!;
    assert.equal(answer.fault ?? answer.error, true);
    assert.equal(answer.cause?.exceptions?.[0]?.message, 'bedrock throttled');
    // The top span hangs off the Lambda facade segment (from _X_AMZN_TRACE_ID).
    const top = docs.find((d) => d.name === 'ask')!;
    assert.equal(top.parent_id, FACADE_PARENT);
    assert.equal(top.type, 'subsegment');
  });

  it('a request is a subsegment named by its route, annotated with request id, route and status; 5xx is a fault', async () => {
    received.length = 0;
    let traceparent = '';
    await tracer.request({ method: 'POST', path: '/api/manuals/m-123', requestId: 'req-42' }, async (span) => {
      traceparent = span.traceparent;
      assert.equal(span.traceId, '5759e988bd862e3fe1be46a994272793');
      await tracer.span('manuals.delete', undefined, async () => undefined);
      span.finish('/api/manuals/:id', 503);
    });
    const all = byName(await documents('POST /api/manuals/:id', 'manuals.delete'));
    const req = all.get('POST /api/manuals/:id')!;
    assert.ok(req, `got ${[...all.keys()].join(', ')}`);
    assert.deepEqual(req.annotations, { request_id: 'req-42', route: '/api/manuals/:id', status: 503 });
    assert.equal(req.fault, true);
    assert.match(traceparent, new RegExp(`^00-5759e988bd862e3fe1be46a994272793-${req.id}-01$`));
    const child = all.get('manuals.delete')!;
    assert.ok((req.subsegments ?? []).some((s) => s.name === 'manuals.delete') || child.parent_id === req.id);
  });
});
