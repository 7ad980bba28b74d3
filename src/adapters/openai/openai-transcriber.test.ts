import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../../test/helpers/fake-openai-server.js';
import { ManuelError } from '../../core/errors.js';
import { pcmToWav } from '../../core/voice/wav-format.js';
import { OpenAiTranscriber, confidenceOf, promptFromHints, transcriptionsUrl } from './openai-transcriber.js';

let server: FakeOpenAiServer;
before(async () => (server = await startFakeOpenAiServer({ apiKey: 'sk-test', transcriptionText: ' How do I reset Gpredict? ' })));
after(() => server.close());

const wav = pcmToWav(Buffer.alloc(16_000 * 2 * 3), 16_000); // 3 s
const code = (c: string) => (e: unknown) => e instanceof ManuelError && e.code === c;

test('sends multipart file + model + prompt of hints, and returns the text', async () => {
  const t = new OpenAiTranscriber({ endpoint: server.url, model: 'whisper-large-v3', apiKey: 'sk-test' });
  const r = await t.transcribe(wav, { hints: ['Gpredict', 'rotctld'], corpus: ['ignored by this engine'], language: 'en' });
  assert.deepEqual(r, { text: 'How do I reset Gpredict?', confidence: 1, durationS: 3, engine: 'openai:whisper-large-v3' });
  const req = server.transcriptionRequests.at(-1)!;
  assert.equal(req.model, 'whisper-large-v3');
  assert.equal(req.fileName, 'question.wav');
  assert.equal(req.fileType, 'audio/wav');
  assert.equal(req.fileSize, wav.length);
  assert.equal(req.fields.prompt, 'Gpredict, rotctld');
  assert.equal(req.fields.language, 'en');
  assert.equal(req.headers.authorization, 'Bearer sk-test');
});

test('a base URL ending in /v1 works, and no hints means no prompt', async () => {
  server.transcriptionText = 'hello';
  const t = new OpenAiTranscriber({ endpoint: `${server.url}/v1`, model: 'm', apiKey: 'sk-test' });
  assert.equal((await t.transcribe(wav)).text, 'hello');
  assert.equal(server.transcriptionRequests.at(-1)!.fields.prompt, undefined, 'no hints, no prompt');
});

test('errors of the endpoint become upstream_error with its message', async () => {
  const wrongKey = new OpenAiTranscriber({ endpoint: server.url, model: 'm', apiKey: 'nope' });
  await assert.rejects(wrongKey.transcribe(wav), (e: unknown) => code('upstream_error')(e) && /401.*Incorrect API key/.test((e as Error).message));
  server.transcriptionText = { status: 500, body: { error: { message: 'model crashed' } } };
  const t = new OpenAiTranscriber({ endpoint: server.url, model: 'm', apiKey: 'sk-test' });
  await assert.rejects(t.transcribe(wav), (e: unknown) => code('upstream_error')(e) && /500: model crashed/.test((e as Error).message));
  await assert.rejects(new OpenAiTranscriber({ endpoint: 'http://127.0.0.1:9', model: 'm' }).transcribe(wav), code('upstream_error'));
});

test('a slow endpoint times out as upstream_error', async () => {
  server.transcriptionText = 'late';
  server.delayMs = 500;
  try {
    const t = new OpenAiTranscriber({ endpoint: server.url, model: 'm', apiKey: 'sk-test', timeoutMs: 100 });
    await assert.rejects(t.transcribe(wav), (e: unknown) => code('upstream_error')(e) && /timed out/.test((e as Error).message));
  } finally {
    server.delayMs = 0;
  }
});

test('endpoint URLs and prompts are normalised', () => {
  assert.equal(transcriptionsUrl('http://h:8080/'), 'http://h:8080/v1/audio/transcriptions');
  assert.equal(transcriptionsUrl('http://h:8080/v1'), 'http://h:8080/v1/audio/transcriptions');
  assert.equal(transcriptionsUrl('http://h/v1/audio/transcriptions'), 'http://h/v1/audio/transcriptions');
  assert.equal(promptFromHints([]), null);
  assert.equal(promptFromHints(['aaaa', 'bbbb', 'cccc'], 10), 'aaaa, bbbb');
});

test('segment log-probabilities of a verbose server become the confidence', () => {
  assert.equal(confidenceOf({ text: 'x', segments: [{ avg_logprob: -0.1 }, { avg_logprob: -0.3 }] }), 0.819);
  assert.equal(confidenceOf({ text: 'x' }), 1);
});
