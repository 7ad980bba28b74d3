import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildPdf } from '../helpers/api-pdfs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { TranscribeAudioInput } from '../../src/http/services.js';

/**
 * The HTTP side of voice: how audio reaches `services.transcribeAudio` and how its transcript becomes
 * a question, usage and cost. Speech recognition itself is tested with real speech in voice-*.test.ts;
 * here a scripted stand-in returns a fixed transcript so the plumbing can be checked exactly.
 */
describe('API: spoken questions and /api/transcribe (HTTP plumbing)', () => {
  let t: TestServer;
  let token: string;
  let userId: string;
  const calls: TranscribeAudioInput[] = [];
  const audio = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4000, 3)]);

  before(async () => {
    t = await startTestServer({
      parameters: { PriceQueryEur: 0.002, PriceTranscribeMinuteEur: 0.024, MaxAudioSizeMB: 0.1 },
      overrides: {
        transcribeAudio: async (input) => {
          calls.push(input);
          return { text: 'how do I replace the toner', confidence: 0.87, durationS: 5, engine: 'scripted' };
        },
      },
    });
    const s = await t.session();
    token = s.access_token;
    userId = s.user.id;
    const f = new FormData();
    f.append('file', new Blob([new Uint8Array(buildPdf([['Toner', 'To replace the toner, open the front door and pull the cartridge out.']]))], { type: 'application/pdf' }), 'p.pdf');
    const up = await (await t.request('/api/manuals/upload', { token, body: f })).json();
    assert.equal((await t.waitForJob(token, up.job_id)).status, 'completed');
  });
  after(() => t.close());

  const audioForm = (bytes = audio) => {
    const f = new FormData();
    f.append('audio', new Blob([new Uint8Array(bytes)], { type: 'audio/wav' }), 'q.wav');
    return f;
  };

  it('answers multipart `audio` with the transcript as the question, counting transcribe + query', async () => {
    const res = await t.request('/api/query', { token, body: audioForm() });
    assert.equal(res.status, 200);
    const a = await res.json();
    assert.equal(a.question, 'how do I replace the toner');
    assert.deepEqual(a.transcription, { text: 'how do I replace the toner', confidence: 0.87, duration_s: 5, engine: 'scripted' });
    assert.equal(a.sources[0].page_number, 1);
    const last = calls.at(-1)!;
    assert.equal(last.audio.length, audio.length);
    assert.equal(last.contentType, 'audio/wav');
    assert.deepEqual(last.owners, [userId, 'shared']);
    const ops = a.cost_info.cost_breakdown.map((i: { operation: string }) => i.operation).sort();
    assert.deepEqual(ops, ['query', 'speech_to_text']);
    assert.equal(a.cost_info.total_cost, 0.004, '0.002 for the query + 5 s at 0.024 EUR/min');
    assert.equal(a.usage_info.daily_used, 2, 'a transcribe and a query');
  });

  it('accepts the original JSON voice shape {file_data, content_type}', async () => {
    const res = await t.request('/api/query', { token, json: { file_data: audio.toString('base64'), content_type: 'audio/webm' } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).transcription.engine, 'scripted');
    assert.equal(calls.at(-1)!.contentType, 'audio/webm');
  });

  it('transcribes without answering on /api/transcribe', async () => {
    for (const init of [{ body: audioForm() }, { json: { file_data: audio.toString('base64') } }]) {
      const res = await t.request('/api/transcribe', { token, ...init });
      assert.equal(res.status, 200);
      const b = await res.json();
      assert.equal(b.transcription, 'how do I replace the toner');
      assert.equal(b.confidence, 0.87);
      assert.equal(b.duration_s, 5);
      assert.equal(b.engine, 'scripted');
      assert.equal(b.cost_info.operation, 'transcribe');
    }
    const usage = await (await t.request('/api/user/usage', { token })).json();
    assert.equal(usage.daily.operations.transcribe, 4);
    assert.equal(usage.daily.operations.query, 2);
  });

  it('caps the audio size (413) and refuses a request without audio (400)', async () => {
    const big = Buffer.alloc(200 * 1024, 1);
    const before = calls.length;
    assert.equal((await t.request('/api/query', { token, body: audioForm(big) })).status, 413);
    assert.equal((await t.request('/api/transcribe', { token, json: { file_data: big.toString('base64') } })).status, 413);
    assert.equal(calls.length, before, 'never reached the recogniser');
    const none = await t.request('/api/transcribe', { token, method: 'POST' });
    assert.equal(none.status, 400);
    const notAFile = new FormData();
    notAFile.append('audio', 'just text');
    assert.equal((await t.request('/api/transcribe', { token, body: notAFile })).status, 400);
  });

  it('answers 503 when the server has no speech recogniser', async () => {
    const bare = await startTestServer({ overrides: { transcribeAudio: undefined } });
    try {
      const tk = await bare.signup();
      const res = await bare.request('/api/query', { token: tk, body: audioForm() });
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error_type, 'unavailable');
      assert.equal((await bare.request('/api/transcribe', { token: tk, body: audioForm() })).status, 503);
      const health = await (await bare.request('/health')).json();
      assert.equal(health.checks.transcriber, 'disabled');
    } finally {
      await bare.close();
    }
  });
});
