import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleAligner, pcmToWav, renderMeter, rmsDbfs } from './level-meter.js';

const tone = (amplitude: number, samples = 1600) => {
  const b = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) b.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 16000)), i * 2);
  return b;
};

test('rmsDbfs: a full-scale sine is about -3 dBFS, a 1% one about -43, silence -inf', () => {
  assert.ok(Math.abs(rmsDbfs(tone(32767)) - -3.01) < 0.1);
  assert.ok(Math.abs(rmsDbfs(tone(327.67)) - -43.01) < 0.2);
  assert.equal(rmsDbfs(Buffer.alloc(3200)), -Infinity);
});

test('renderMeter fills the bar with loudness', () => {
  const loud = renderMeter(-3, 1.25, 20);
  const quiet = renderMeter(-50, 1.25, 20);
  assert.match(loud, /^Listening \[#{19}\.{1}\]\s+-3 dB\s+1\.3 s$/);
  assert.equal((quiet.match(/#/g) ?? []).length, 3);
  assert.match(renderMeter(-Infinity, 0, 10), /\[\.{10}\]\s+-inf/);
});

test('SampleAligner never splits a 16-bit sample across chunks', () => {
  const a = new SampleAligner();
  assert.equal(a.push(Buffer.from([1, 2, 3])).length, 2);
  const next = a.push(Buffer.from([4, 5, 6]));
  assert.deepEqual([...next], [3, 4, 5, 6]);
});

test('pcmToWav writes a 16 kHz mono 16-bit PCM header', () => {
  const wav = pcmToWav(tone(1000, 160));
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(4), 36 + 320);
  assert.equal(wav.toString('ascii', 8, 16), 'WAVEfmt ');
  assert.equal(wav.readUInt16LE(20), 1);
  assert.equal(wav.readUInt16LE(22), 1);
  assert.equal(wav.readUInt32LE(24), 16000);
  assert.equal(wav.readUInt16LE(34), 16);
  assert.equal(wav.readUInt32LE(40), 320);
  assert.equal(wav.length, 44 + 320);
});
