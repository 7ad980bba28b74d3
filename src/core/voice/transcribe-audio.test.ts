import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseParameters } from '../../config/parameters.js';
import { ManuelError } from '../errors.js';
import type { AudioArchive } from '../ports/audio-archive.js';
import type { AudioDecoder } from '../ports/audio-decoder.js';
import type { TranscribeOptions, Transcriber } from '../ports/transcriber.js';
import { transcribeAudio } from './transcribe-audio.js';
import { RecognitionHints } from './recognition-hints.js';
import { pcmToWav } from './wav-format.js';

const speechLike = (seconds: number) => {
  const pcm = Buffer.alloc(seconds * 32_000);
  for (let i = 0; i < seconds * 16_000; i++) pcm.writeInt16LE(Math.round(6000 * Math.sin(i / 7) * Math.sin(i / 900)), i * 2);
  return pcmToWav(pcm, 16_000);
};

/** Decodes nothing: hands back a prepared WAV, as ffmpeg would after normalising. */
const decoderOf = (wav: Buffer): AudioDecoder & { calls: number } => ({
  calls: 0,
  async decode() {
    this.calls++;
    return { wav, durationS: (wav.length - 44) / 32_000, format: 'wav' };
  },
});

const transcriberSaying = (text: string): Transcriber & { seen: TranscribeOptions[] } => ({
  seen: [],
  async transcribe(_wav, options = {}) {
    this.seen.push(options);
    return { text, confidence: 0.8, durationS: 0, engine: 'test' };
  },
});

const kb = { vocabulary: async (owners: readonly string[]) => (owners.includes('u1') ? ['FreedomBox', 'Coturn'] : []) };
const parameters = parseParameters({});
const input = { audio: Buffer.from('opaque audio bytes'), contentType: 'audio/webm', owners: ['u1', 'shared'] };

const code = (c: string) => (e: unknown) => e instanceof ManuelError && e.code === c;

test('transcribes with the vocabulary of the caller’s manuals as hints', async () => {
  const transcriber = transcriberSaying('  how do i set up  coturn ');
  const r = await transcribeAudio({ decoder: decoderOf(speechLike(3)), transcriber, kb, parameters }, input);
  assert.deepEqual(r, { text: 'how do i set up coturn', confidence: 0.8, durationS: 3, engine: 'test', heard: 'how do i set up coturn' });
  assert.deepEqual(transcriber.seen[0]!.hints, ['FreedomBox', 'Coturn']);
  assert.equal(transcriber.seen[0]!.context, 'shared,u1', 'the owner set, order-independent');
});

test('the transcript is rewritten: spoken numbers as digits, sound-alikes spelt as the manuals do', async () => {
  const transcriber = transcriberSaying('which port does freedom box use for two point four gigahertz in nineteen ninety');
  const r = await transcribeAudio({ decoder: decoderOf(speechLike(3)), transcriber, kb, parameters }, input);
  assert.equal(r.text, 'which port does FreedomBox use for 2.4 GHz in 1990');
  assert.equal(r.heard, 'which port does freedom box use for two point four gigahertz in nineteen ninety');
  const off = await transcribeAudio({ decoder: decoderOf(speechLike(3)), transcriber, kb, parameters, rewrite: { numbers: false, vocabulary: false } }, input);
  assert.equal(off.text, off.heard, 'both rewrites can be switched off');
});

test('audio over MaxAudioSizeMB is refused before decoding', async () => {
  const decoder = decoderOf(speechLike(1));
  const small = parseParameters({ MaxAudioSizeMB: 0.001 });
  await assert.rejects(
    transcribeAudio({ decoder, transcriber: transcriberSaying('x'), kb, parameters: small }, { ...input, audio: Buffer.alloc(2000) }),
    code('payload_too_large'),
  );
  assert.equal(decoder.calls, 0);
});

test('silence is no_speech and never reaches the recogniser', async () => {
  const transcriber = transcriberSaying('the');
  await assert.rejects(
    transcribeAudio({ decoder: decoderOf(pcmToWav(Buffer.alloc(64_000), 16_000)), transcriber, kb, parameters }, input),
    code('no_speech'),
  );
  assert.equal(transcriber.seen.length, 0);
});

test('an empty transcript is no_speech, not an empty question', async () => {
  await assert.rejects(transcribeAudio({ decoder: decoderOf(speechLike(2)), transcriber: transcriberSaying('  '), kb, parameters }, input), code('no_speech'));
});

test('decoder errors (unsupported, corrupt, too long) pass through unchanged', async () => {
  const decoder: AudioDecoder = {
    decode: async () => {
      throw new ManuelError('audio_too_long', 'too long');
    },
  };
  await assert.rejects(transcribeAudio({ decoder, transcriber: transcriberSaying('x'), kb, parameters }, input), code('audio_too_long'));
});

test('audio is archived and old recordings purged only when AudioFileRetentionDays > 0', async () => {
  const kept: string[] = [];
  const purged: Date[] = [];
  const archive: AudioArchive = {
    keep: async (item) => void kept.push(item.transcript),
    purge: async (d) => (purged.push(d), 0),
  };
  const now = () => new Date('2024-05-10T12:00:00Z');
  const deps = { decoder: decoderOf(speechLike(2)), transcriber: transcriberSaying('hello manual'), kb, archive, now };
  await transcribeAudio({ ...deps, parameters }, input);
  assert.equal(kept.length, 0);
  await transcribeAudio({ ...deps, parameters: parseParameters({ AudioFileRetentionDays: 3 }) }, input);
  assert.deepEqual(kept, ['hello manual']);
  assert.equal(purged[0]!.toISOString(), '2024-05-07T12:00:00.000Z');
});

test('RecognitionHints asks the index once per owner set within its TTL, and survives failing sources', async () => {
  let calls = 0;
  let clock = 0;
  const corpus = { passages: async (owners: readonly string[], maxWords: number) => [`${owners.length} owners, ${maxWords} words`] };
  const hints = new RecognitionHints({ kb: { vocabulary: async () => (calls++, ['Gpredict']) }, corpus }, { ttlMs: 1000, now: () => clock, corpusWords: 50 });
  const first = await hints.for(['u1', 'shared']);
  assert.deepEqual(first, { hints: ['Gpredict'], corpus: ['2 owners, 50 words'] });
  assert.equal(await hints.for(['shared', 'u1']), first);
  assert.equal(calls, 1);
  clock = 1500;
  await hints.for(['u1', 'shared']);
  assert.equal(calls, 2);
  const failing = new RecognitionHints({ kb: { vocabulary: async () => Promise.reject(new Error('db gone')) } });
  assert.deepEqual(await failing.for(['u1']), { hints: [], corpus: [] });
  assert.deepEqual(await new RecognitionHints({}).for(['u1']), { hints: [], corpus: [] });
});

test('the manual text reaches the recogniser as its corpus', async () => {
  const transcriber = transcriberSaying('what is coturn');
  const corpus = { passages: async () => ['Coturn is a STUN and TURN server.'] };
  await transcribeAudio({ decoder: decoderOf(speechLike(2)), transcriber, kb, corpus, parameters }, input);
  assert.deepEqual(transcriber.seen[0]!.corpus, ['Coturn is a STUN and TURN server.']);
  assert.equal(transcriber.seen[0]!.language, 'en');
});
