import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PocketsphinxTranscriber } from '../../src/adapters/embedded/pocketsphinx-transcriber.js';
import { evalDir } from '../helpers/eval-manuals.js';

let dir: string;
const speak = (text: string) => {
  const file = join(dir, `${text.length}-${Math.random().toString(36).slice(2)}.wav`);
  execFileSync('bash', [join(evalDir, 'speak.sh'), text, file], { stdio: 'ignore' });
  return readFileSync(file);
};

before(() => (dir = mkdtempSync(join(tmpdir(), 'manuel-sphinx-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

// A small "manual": its terms and text are what the recogniser is biased with.
const hints = ['FreedomBox', 'Coturn', 'Gpredict', 'rotctld', 'OpenNI', 'Syncthing'];
const corpus = [
  'Coturn is a server to facilitate audio and video calls and conferences by providing an implementation of the TURN and STUN protocols.',
  'To use Coturn on your FreedomBox, forward the ports 3478 and 5349 on your router.',
  'Syncthing synchronises files between devices. Enable Syncthing on the FreedomBox apps page.',
];

test('biased by the manual, product names the stock dictionary lacks are recognised', async () => {
  const t = new PocketsphinxTranscriber({ cacheDir: join(dir, 'cache') });
  const r = await t.transcribe(speak('How do I configure Coturn on my FreedomBox?'), { hints, corpus });
  assert.equal(r.engine, 'pocketsphinx');
  assert.ok(r.durationS > 1.5 && r.durationS < 5, `duration ${r.durationS}`);
  assert.ok(r.confidence > 0 && r.confidence <= 1);
  const words = r.text.split(' ');
  for (const w of ['coturn', 'freedombox']) assert.ok(words.includes(w), `"${w}" in "${r.text}"`);
  // The model is cached on disk by its inputs: a second question reuses it.
  assert.equal(readdirSync(join(dir, 'cache')).length, 1);
  const again = await t.transcribe(speak('Which ports does Syncthing use?'), { hints, corpus });
  assert.ok(again.text.split(' ').includes('syncthing'), again.text);
  assert.equal(readdirSync(join(dir, 'cache')).length, 1);
});

test('without hints the stock model transcribes everyday words', async () => {
  const t = new PocketsphinxTranscriber({ bias: false });
  const r = await t.transcribe(speak('What is the default password?'));
  const words = r.text.split(' ');
  for (const w of ['what', 'default', 'password']) assert.ok(words.includes(w), `"${w}" in "${r.text}"`);
});

test('temporary audio files are removed after recognition', async () => {
  const scratch = join(dir, 'scratch');
  mkdirSync(scratch);
  await new PocketsphinxTranscriber({ cacheDir: join(dir, 'cache'), tmpDir: scratch }).transcribe(speak('Enable Syncthing'), { hints, corpus });
  assert.deepEqual(readdirSync(scratch), []);
});

test('while the model for changed manuals builds, the context keeps its previous model', async () => {
  const t = new PocketsphinxTranscriber({ cacheDir: join(dir, 'cache-ctx') });
  const wav = speak('Enable Syncthing on the FreedomBox');
  await t.transcribe(wav, { hints, corpus, context: 'u1' });
  const models = () => readdirSync(join(dir, 'cache-ctx')).length;
  assert.equal(models(), 1);
  // A manual was added: new text, so a new model. The answer must not wait for it.
  const more = [...corpus, 'Gpredict shows satellite passes and controls antenna rotators through rotctld.'];
  const r = await t.transcribe(wav, { hints, corpus: more, context: 'u1' });
  assert.ok(r.text.split(' ').includes('syncthing'), r.text);
  // ...and it is ready for the next question.
  for (let i = 0; i < 100 && models() < 2; i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal(models(), 2);
  // Another context never borrows u1's model: it waits for its own.
  const other = await t.transcribe(wav, { hints: ['Syncthing'], corpus: ['Syncthing syncs files.'], context: 'u2' });
  assert.ok(other.text.length > 0);
  assert.equal(models(), 3);
});

test('a model build over its heap cap fails alone: the builder rejects, the process lives, the next build works', async () => {
  const { BiasedModelBuilder } = await import('../../src/adapters/embedded/sphinx-biased-model.js');
  const modelDir = '/usr/share/pocketsphinx/model/en-us';
  // 8 MB cannot hold the pronunciation dictionary: the worker dies of OOM.
  const starved = new BiasedModelBuilder({ modelDir, cacheDir: join(dir, 'starved'), memoryMb: 8 });
  await assert.rejects(starved.model(hints, corpus), /memory|heap/i);
  const normal = new BiasedModelBuilder({ modelDir, cacheDir: join(dir, 'normal') });
  const built = await normal.model(hints, corpus);
  assert.ok(built.words > 1000, `vocabulary of ${built.words} words`);
});
