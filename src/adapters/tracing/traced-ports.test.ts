import assert from 'node:assert/strict';
import { types } from 'node:util';
import { describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import type { SearchHit } from '../../core/model/types.js';
import type { AnswerWriter } from '../../core/ports/answer-writer.js';
import type { KnowledgeBase } from '../../core/ports/knowledge-base.js';
import { ExtractiveAnswerWriter } from '../../core/ask/extractive-answer-writer.js';
import { FakeEmbedder, FakeKnowledgeBase, MemoryLogger } from '../../../test/helpers/fakes.js';
import { OtelTracer } from './otel-tracer.js';
import { pino } from 'pino';
import type { Logger } from '../../core/ports/logger.js';
import { traced, tracedAnswerWriter, tracedEmbedder, tracedKnowledgeBase, withTraceIds } from './traced-ports.js';

function setup() {
  const exporter = new InMemorySpanExporter();
  return { tracer: new OtelTracer({ exporter }), spans: () => exporter.getFinishedSpans() };
}

describe('tracing decorators', () => {
  it('trace each listed call, with attributes from its arguments, and change nothing else', async () => {
    const { tracer, spans } = setup();
    const inner = new FakeKnowledgeBase();
    const kb: KnowledgeBase = tracedKnowledgeBase(tracer, inner);
    assert.ok(types.isProxy(kb));
    assert.ok((kb as object) instanceof FakeKnowledgeBase);
    // The fake has no pageChunks / documentFrequencies: the core must still see them as absent.
    assert.equal(kb.pageChunks, undefined);
    assert.equal('documentFrequencies' in kb, false);
    await kb.indexChunks('m1', 'u1', 'Toaster', [
      { id: 'c1', manualId: 'm1', ownerId: 'u1', pageNumber: 1, pageLabel: null, text: 'reset the toaster', heading: null, ordinal: 0 },
    ]);
    const hits = await kb.search({ text: 'reset', owners: ['u1'], limit: 5 });
    assert.equal(hits.length, 1);
    assert.equal(inner.chunks.size, 1, 'the calls reached the adapter');
    assert.deepEqual(
      spans().map((s) => [s.name, s.attributes]),
      [
        ['kb.indexChunks', { 'manual.id': 'm1', 'kb.chunks': 1 }],
        ['kb.search', { 'kb.leg': 'keyword', 'kb.limit': 5, 'kb.owners': 1 }],
      ],
    );
  });

  it('forward properties (writer id, embedder model) and fail the span of a call that throws', async () => {
    const { tracer, spans } = setup();
    const writer = tracedAnswerWriter(tracer, new ExtractiveAnswerWriter());
    assert.equal(writer.id, 'extractive');
    const inner = new FakeEmbedder();
    inner.failOnCall = 2;
    const embedder = tracedEmbedder(tracer, inner);
    assert.equal(embedder.dimensions, 8);
    assert.equal(embedder.modelId, 'fake-hash-8');
    assert.equal((await embedder.embed(['a', 'b'])).length, 2);
    await assert.rejects(embedder.embed(['c']), /embedder crashed/);
    const [ok, failed] = spans();
    assert.deepEqual(ok!.attributes, { 'embedder.model': 'fake-hash-8', 'embedder.texts': 2 });
    assert.equal(ok!.status.code, SpanStatusCode.UNSET);
    assert.equal(failed!.status.code, SpanStatusCode.ERROR);
  });

  it('keep the adapter as `this` for methods not traced (private fields work)', async () => {
    const { tracer } = setup();
    class Secretive implements AnswerWriter {
      readonly id = 'secretive';
      #calls = 0;
      async write(_q: string, passages: SearchHit[]) {
        this.#calls++;
        return { answer: `${passages.length}`, cited: [] };
      }
      calls() {
        return this.#calls;
      }
    }
    const writer = traced(tracer, 'w', new Secretive(), { write: () => undefined });
    await writer.write('q', []);
    assert.equal(writer.calls(), 1);
    const kb: KnowledgeBase = traced(tracer, 'kb', new FakeKnowledgeBase(), {});
    assert.deepEqual(await kb.deleteManual('none'), { chunks: 0, vectors: 0 });
  });
});

describe('withTraceIds', () => {
  it('adds trace_id and span_id to lines logged inside a span, and only there', async () => {
    const { tracer, spans } = setup();
    const lines = new MemoryLogger();
    const log = withTraceIds(lines, () => tracer.logFields()).child({ req_id: 'r1' });
    log.info({ a: 1 }, 'outside');
    await tracer.span('work', undefined, async () => {
      log.info({ a: 2 }, 'inside');
      log.warn('plain message');
      log.error(new Error('kaput'));
    });
    const { traceId, spanId } = spans()[0]!.spanContext();
    const ids = { trace_id: traceId, span_id: spanId };
    assert.deepEqual(lines.lines, [
      { level: 'info', obj: { req_id: 'r1', a: 1 }, msg: 'outside' },
      { level: 'info', obj: { req_id: 'r1', ...ids, a: 2 }, msg: 'inside' },
      { level: 'warn', obj: { req_id: 'r1', ...ids }, msg: 'plain message' },
      { level: 'error', obj: { req_id: 'r1', ...ids, err: (lines.lines[3]!.obj as { err: Error }).err }, msg: 'kaput' },
    ]);
    assert.ok((lines.lines[3]!.obj as { err: unknown }).err instanceof Error);
  });

  it('on a pino logger, a line its level drops asks for no ids; a line it writes carries them', async () => {
    const { tracer, spans } = setup();
    const out: string[] = [];
    const base = pino({ level: 'warn' }, { write: (line: string) => void out.push(line) }) as unknown as Logger;
    let asked = 0;
    const log = withTraceIds(base, () => (asked++, tracer.logFields())).child({ component: 'c' });
    await tracer.span('work', undefined, async () => {
      log.info({ a: 1 }, 'dropped');
      log.debug('dropped too');
      assert.equal(asked, 0, 'no context lookup for a dropped line');
      log.warn({ a: 2 }, 'kept');
    });
    assert.equal(asked, 1);
    assert.equal(out.length, 1);
    const line = JSON.parse(out[0]!) as Record<string, unknown>;
    assert.equal(line.msg, 'kept');
    assert.equal(line.component, 'c');
    assert.equal(line.trace_id, spans()[0]!.spanContext().traceId);
    assert.equal(log.isLevelEnabled?.('info'), false);
    assert.equal(log.isLevelEnabled?.('warn'), true);
  });
});
