import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordQuestion } from './voice-recorder.js';
import { evalDir } from '../../../test/helpers/eval-manuals.js';

/**
 * `rec` is sox reading the sound card; here a stand-in `rec` on PATH is sox reading a speech file
 * with the very arguments the CLI passes, so the silence detection and PCM handling are real.
 */

const which = (cmd: string) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const sox = which('sox');
const canSpeak = Boolean(sox && which('flite'));

let dir: string;
let savedPath: string | undefined;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'manuel-'));
  savedPath = process.env.PATH;
});
after(() => {
  process.env.PATH = savedPath;
  rmSync(dir, { recursive: true, force: true });
});

const fakeRec = (name: string, body: string) => {
  const bin = join(dir, name);
  execFileSync('mkdir', ['-p', bin]);
  writeFileSync(join(bin, 'rec'), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, 'rec'), 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
};

test('records until 1.5 s of silence after speech, reporting levels', { skip: !canSpeak && 'needs sox and flite' }, async () => {
  const speech = join(dir, 'speech.wav');
  execFileSync('bash', [join(evalDir, 'speak.sh'), 'How do I reset the router to factory settings', speech], { stdio: 'ignore' });
  const speechS = Number(execFileSync(sox, ['--i', '-D', speech], { encoding: 'utf8' }));
  // quiet lead-in, the question, a long pause, then talking again that must NOT be recorded
  const mic = join(dir, 'mic.wav');
  execFileSync(sox, [speech, mic, 'pad', '0.5', '3', 'repeat', '1']);
  fakeRec('silence', `exec ${sox} ${mic} "$@"`);

  const levels: number[] = [];
  const rec = await recordQuestion({ onLevel: (db) => levels.push(db) });
  assert.equal(rec.stoppedBy, 'silence');
  assert.ok(rec.seconds > speechS - 0.5 && rec.seconds < speechS + 1.6, `recorded ${rec.seconds} s of a ${speechS} s question`);
  assert.equal(rec.wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(rec.wav.readUInt32LE(24), 16000);
  assert.equal(rec.wav.length, 44 + Math.round(rec.seconds * 16000) * 2);
  assert.ok(levels.length > 10, 'the meter was fed while recording');
  assert.ok(Math.max(...levels) > -30, `speech is loud on the meter (max ${Math.max(...levels)} dB)`);
});

test('-d records a fixed length', { skip: !sox && 'needs sox' }, async () => {
  const noise = join(dir, 'noise.wav');
  execFileSync(sox, ['-n', '-r', '44100', '-c', '2', noise, 'synth', '5', 'pinknoise', 'vol', '0.3']);
  fakeRec('fixed', `exec ${sox} ${noise} "$@"`);
  const rec = await recordQuestion({ durationS: 1.5 });
  assert.equal(rec.stoppedBy, 'duration');
  assert.equal(rec.seconds, 1.5); // resampled to 16 kHz mono by the rec arguments
});

test('a microphone failure is one clear line', async () => {
  fakeRec('broken', `echo "rec FAIL sox: Sorry, there is no default audio device configured" >&2; exit 2`);
  await assert.rejects(recordQuestion(), /^CliError: Recording failed: sox: Sorry, there is no default audio device configured$/m);
});

test('a missing rec says to install sox', async () => {
  process.env.PATH = join(dir, 'nothing-here');
  await assert.rejects(recordQuestion(), /install sox/);
});
