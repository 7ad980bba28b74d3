import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FfmpegAudioDecoder } from '../../src/adapters/embedded/ffmpeg-audio-decoder.js';
import { ManuelError } from '../../src/core/errors.js';
import { wavSamples } from '../../src/core/voice/wav-format.js';
import { evalDir } from '../helpers/eval-manuals.js';

let dir: string;
let speech: string;
const decoder = new FfmpegAudioDecoder();
const code = (c: string) => (e: unknown) => e instanceof ManuelError && e.code === c;
const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'manuel-decoder-'));
  speech = join(dir, 'speech.wav');
  execFileSync('bash', [join(evalDir, 'speak.sh'), 'How do I change the printer resolution?', speech], { stdio: 'ignore' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

// What a browser's MediaRecorder, a phone and a recorder produce, made from the same speech.
const formats: [string, string[], string][] = [
  ['wav 44.1 kHz stereo', ['-ar', '44100', '-ac', '2'], 'wav'],
  ['mp3', ['-c:a', 'libmp3lame', '-b:a', '64k'], 'mp3'],
  ['m4a (aac)', ['-c:a', 'aac', '-b:a', '64k'], 'm4a'],
  ['flac', ['-c:a', 'flac'], 'flac'],
  ['webm (opus)', ['-c:a', 'libopus', '-ar', '48000'], 'webm'],
  ['ogg (opus)', ['-c:a', 'libopus', '-ar', '48000'], 'ogg'],
];

for (const [name, codec, ext] of formats) {
  test(`${name} -> 16 kHz mono 16-bit WAV of the same length`, async () => {
    const file = join(dir, `in-${ext}.${ext}`);
    ffmpeg('-i', speech, ...codec, file);
    const out = await decoder.decode(readFileSync(file), { contentType: null, maxDurationS: 300 });
    assert.equal(out.format, ext);
    assert.equal(out.wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(out.wav.readUInt16LE(22), 1); // mono
    assert.equal(out.wav.readUInt32LE(24), 16_000);
    assert.equal(out.wav.readUInt16LE(34), 16);
    const original = wavSamples(readFileSync(speech)).length / 16_000;
    assert.ok(Math.abs(out.durationS - original) < 0.15, `${out.durationS} vs ${original}`);
    const samples = wavSamples(out.wav);
    assert.ok(samples.some((s) => Math.abs(s) > 3000), 'the speech is still audible');
  });
}

test('the container is sniffed from the bytes, not the declared type', async () => {
  const out = await decoder.decode(readFileSync(speech), { contentType: 'audio/mpeg', maxDurationS: 300 });
  assert.equal(out.format, 'wav');
});

test('text, a PDF and an image are unsupported_media_type', async () => {
  await assert.rejects(decoder.decode(Buffer.from('just some text, not audio'), { contentType: 'audio/wav', maxDurationS: 300 }), code('unsupported_media_type'));
  await assert.rejects(decoder.decode(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), { contentType: null, maxDurationS: 300 }), code('unsupported_media_type'));
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  await assert.rejects(decoder.decode(png, { contentType: 'image/png', maxDurationS: 300 }), code('unsupported_media_type'));
});

test('a recognised container with corrupt contents is invalid_audio with a reason', async () => {
  const file = join(dir, 'c.webm');
  ffmpeg('-i', speech, '-c:a', 'libopus', file);
  const bytes = readFileSync(file);
  const broken = Buffer.concat([bytes.subarray(0, 60), Buffer.alloc(4000, 0xa5)]);
  await assert.rejects(decoder.decode(broken, { contentType: 'audio/webm', maxDurationS: 300 }), (e: unknown) => {
    return code('invalid_audio')(e) && /could not be decoded/.test((e as Error).message);
  });
  await assert.rejects(decoder.decode(Buffer.alloc(0), { contentType: null, maxDurationS: 300 }), code('invalid_audio'));
});

test('audio longer than the limit is audio_too_long', async () => {
  const file = join(dir, 'long.ogg');
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=300:duration=12', '-c:a', 'libopus', file);
  await assert.rejects(decoder.decode(readFileSync(file), { contentType: null, maxDurationS: 10 }), code('audio_too_long'));
  const ok = await decoder.decode(readFileSync(file), { contentType: null, maxDurationS: 15 });
  assert.ok(Math.abs(ok.durationS - 12) < 0.1);
});

test('temporary files are removed, also after a failure', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'manuel-decoder-tmp-'));
  try {
    const own = new FfmpegAudioDecoder({ tmpDir: scratch });
    await own.decode(readFileSync(speech), { contentType: null, maxDurationS: 300 });
    const webm = join(dir, 't.webm');
    ffmpeg('-i', speech, '-c:a', 'libopus', webm);
    const broken = Buffer.concat([readFileSync(webm).subarray(0, 60), Buffer.alloc(4000, 0xa5)]);
    await assert.rejects(own.decode(broken, { contentType: null, maxDurationS: 300 }), code('invalid_audio'));
    assert.deepEqual(readdirSync(scratch), []);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
