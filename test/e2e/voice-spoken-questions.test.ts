import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pcmToWav } from '../../src/core/voice/wav-format.js';
import { evalDir, evalManualsDir } from '../helpers/eval-manuals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Spoken questions end to end: real server (pocketsphinx + ffmpeg, as shipped), a real manual,
 * speech synthesised by flite, sent as a browser (WebM/Opus), a phone (MP3) or a plain WAV would.
 */
describe('voice: spoken questions about a real manual', () => {
  let t: TestServer;
  let token: string;
  let dir: string;
  let speech: Buffer;
  const ffmpeg = (input: string, ...args: string[]) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}.${args.pop()}`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', input, ...args, out]);
    return readFileSync(out);
  };
  const form = (bytes: Buffer, type: string, name: string) => {
    const f = new FormData();
    f.append('audio', new Blob([new Uint8Array(bytes)], { type }), name);
    return f;
  };
  const pagesOf = (a: { sources: { manual_name: string; page_number: number }[] }) => a.sources.map((s) => s.page_number);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-voice-e2e-'));
    execFileSync('bash', [join(evalDir, 'speak.sh'), "What is the twilight threshold in Gpredict's pass prediction preferences used for?", join(dir, 'q.wav')], { stdio: 'ignore' });
    speech = readFileSync(join(dir, 'q.wav'));
    t = await startTestServer();
    token = await t.signup();
    const f = new FormData();
    f.append('file', new Blob([new Uint8Array(readFileSync(join(evalManualsDir(), 'gpredict-user-manual.pdf')))], { type: 'application/pdf' }), 'gpredict-user-manual.pdf');
    const up = await (await t.request('/api/manuals/upload', { token, body: f })).json();
    assert.equal((await t.waitForJob(token, up.job_id, 120_000)).status, 'completed');
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a WAV question (multipart audio) is transcribed with the product name and answered from the page that explains it', async () => {
    const res = await t.request('/api/query', { token, body: form(speech, 'audio/wav', 'q.wav') });
    assert.equal(res.status, 200, await res.clone().text());
    const a = await res.json();
    const words = a.transcription.text.split(' ');
    for (const w of ['gpredict', 'twilight', 'threshold', 'prediction']) assert.ok(words.includes(w), `"${w}" in "${a.transcription.text}"`);
    assert.equal(a.question, a.transcription.text);
    assert.equal(a.transcription.engine, 'pocketsphinx');
    assert.ok(a.transcription.duration_s > 2 && a.transcription.duration_s < 6);
    assert.ok(a.transcription.confidence > 0 && a.transcription.confidence <= 1);
    assert.ok(pagesOf(a).includes(39), `page 39 cited: ${pagesOf(a)} for "${a.transcription.text}"`);
  });

  it('the same question as WebM/Opus (browser) in the original JSON shape, and as MP3 (phone)', async () => {
    const webm = ffmpeg(join(dir, 'q.wav'), '-c:a', 'libopus', '-ar', '48000', 'webm');
    const res = await t.request('/api/query', { token, json: { file_data: webm.toString('base64'), content_type: 'audio/webm;codecs=opus' } });
    assert.equal(res.status, 200, await res.clone().text());
    const a = await res.json();
    assert.ok(a.transcription.text.split(' ').includes('gpredict'), a.transcription.text);
    assert.ok(pagesOf(a).includes(39), `page 39 cited: ${pagesOf(a)} for "${a.transcription.text}"`);

    const mp3 = ffmpeg(join(dir, 'q.wav'), '-c:a', 'libmp3lame', '-b:a', '48k', 'mp3');
    const tr = await t.request('/api/transcribe', { token, body: form(mp3, 'audio/mpeg', 'q.mp3') });
    assert.equal(tr.status, 200, await tr.clone().text());
    const body = await tr.json();
    assert.match(body.transcription, /gpredict/);
    assert.match(body.transcription, /twilight/);
  });

  it('silence is 422 no_speech; text posing as audio is 415; a corrupt WebM is 400 with the reason', async () => {
    const silence = pcmToWav(Buffer.alloc(16_000 * 2 * 2), 16_000);
    const quiet = await t.request('/api/query', { token, body: form(silence, 'audio/wav', 'silence.wav') });
    assert.equal(quiet.status, 422);
    assert.equal((await quiet.json()).error_type, 'no_speech');

    const text = await t.request('/api/transcribe', { token, body: form(Buffer.from('this is not audio at all, just text'), 'audio/webm', 'q.webm') });
    assert.equal(text.status, 415);
    assert.equal((await text.json()).error_type, 'unsupported_media_type');

    const webm = ffmpeg(join(dir, 'q.wav'), '-c:a', 'libopus', 'webm');
    const corrupt = Buffer.concat([webm.subarray(0, 60), Buffer.alloc(3000, 0x5a)]);
    const bad = await t.request('/api/query', { token, json: { file_data: corrupt.toString('base64'), content_type: 'audio/webm' } });
    assert.equal(bad.status, 400);
    const err = await bad.json();
    assert.equal(err.error_type, 'invalid_audio');
    assert.match(err.error, /could not be decoded/);
  });
});
