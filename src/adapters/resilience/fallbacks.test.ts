import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { errors } from '../../core/errors.js';
import type { SearchHit } from '../../core/model/types.js';
import type { AnswerWriter } from '../../core/ports/answer-writer.js';
import type { Transcriber } from '../../core/ports/transcriber.js';
import { PromMetrics } from '../metrics/prom-metrics.js';
import { FallbackAnswerWriter } from './fallback-answer-writer.js';
import { FallbackTranscriber } from './fallback-transcriber.js';

const hit = { chunk: { text: 'Hold the reset button for three seconds.', pageNumber: 1 } } as unknown as SearchHit;

describe('fallbacks', () => {
  it('answer writer: the stand-in answer is marked; the outage is logged once when it starts and once when it ends; each stand-in counted', async () => {
    let down = true;
    const model: AnswerWriter = { id: 'openai:m', write: async () => (down ? Promise.reject(errors.upstream('HTTP 500')) : { answer: 'model', cited: [0], source: 'model' }) };
    const extractive: AnswerWriter = { id: 'extractive', write: async () => ({ answer: 'extract', cited: [0] }) };
    const logger = new MemoryLogger();
    const metrics = new PromMetrics();
    const w = new FallbackAnswerWriter(model, extractive, { logger, metrics, service: 'answer-endpoint' });
    assert.equal(w.id, 'openai:m', "the model's id: cache keys stay the model's");
    for (let i = 0; i < 3; i++) assert.deepEqual(await w.write('q', [hit]), { answer: 'extract', cited: [0], source: 'extractive-fallback' });
    down = false;
    assert.equal((await w.write('q', [hit])).source, 'model');
    assert.deepEqual(logger.lines.map((l) => l.level), ['warn', 'info']);
    assert.equal(await metrics.value('fallbacks_total', { service: 'answer-endpoint' }), 3);
  });

  it('transcriber: the local recogniser stands in for a failed endpoint, but "no speech" is not an outage', async () => {
    let fail: Error = errors.upstream('refused');
    const endpoint: Transcriber = { transcribe: async () => Promise.reject(fail) };
    const local: Transcriber = { transcribe: async () => ({ text: 'hello', confidence: 0.5, durationS: 1, engine: 'pocketsphinx' }) };
    const t = new FallbackTranscriber(endpoint, local, { logger: new MemoryLogger(), metrics: new PromMetrics(), service: 'transcription-endpoint' });
    assert.equal((await t.transcribe(Buffer.alloc(0))).engine, 'pocketsphinx');
    fail = errors.noSpeech();
    await assert.rejects(t.transcribe(Buffer.alloc(0)), (e) => (e as { code: string }).code === 'no_speech');
  });
});
