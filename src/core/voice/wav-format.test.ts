import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSilent, measureLevel, pcmToWav, wavSamples } from './wav-format.js';

const tone = (seconds: number, amplitude: number, rate = 16_000) => {
  const pcm = Buffer.alloc(seconds * rate * 2);
  for (let i = 0; i < seconds * rate; i++) pcm.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / rate)), i * 2);
  return pcm;
};

test('pcmToWav writes a 44-byte PCM header that wavSamples reads back', () => {
  const pcm = tone(1, 1000);
  const wav = pcmToWav(pcm, 16_000);
  assert.equal(wav.length, 44 + pcm.length);
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
  assert.equal(wav.readUInt32LE(24), 16_000);
  const samples = wavSamples(wav);
  assert.equal(samples.length, 16_000);
  assert.equal(samples[100], pcm.readInt16LE(200));
});

test('wavSamples returns nothing for bytes that are not a WAV', () => {
  assert.equal(wavSamples(Buffer.from('not a wav file at all, really')).length, 0);
});

test('a digital-silence recording and a very quiet hum are silent; a voice-level tone is not', () => {
  const silence = measureLevel(new Int16Array(32_000));
  assert.equal(silence.peakDbfs, -120);
  assert.ok(isSilent(silence, 2));

  const hum = measureLevel(wavSamples(pcmToWav(tone(2, 50), 16_000)));
  assert.ok(hum.peakDbfs < -40);
  assert.ok(isSilent(hum, 2));

  const voice = measureLevel(wavSamples(pcmToWav(tone(2, 8000), 16_000)));
  assert.ok(voice.rmsDbfs > -20 && voice.activeShare > 0.9);
  assert.equal(isSilent(voice, 2), false);
});

test('a single click in silence is not speech', () => {
  const samples = new Int16Array(48_000);
  samples[1000] = 30_000;
  assert.ok(isSilent(measureLevel(samples), 3));
});
