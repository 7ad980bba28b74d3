import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readGenericUnigrams } from './sphinx-generic-lexicon.js';
import { buildBiasedModel, corpusSentences, tokenize } from './sphinx-model-build.js';

const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const dir = mkdtempSync(join(tmpdir(), 'manuel-sphinx-build-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('tokenises like the recogniser spells: lower case, apostrophes kept, punctuation dropped', () => {
  assert.deepEqual(tokenize("Gpredict's  Interfaces/settings: don’t use --port!"), ["gpredict's", 'interfaces', 'settings', "don't", 'use', 'port']);
  assert.deepEqual(corpusSentences(['Enable Coturn. Then forward the ports:\n3478 and 5349', 'x']), [
    ['enable', 'coturn'],
    ['then', 'forward', 'the', 'ports'],
    ['3478', 'and', '5349'],
  ]);
});

test("reads the generic model's most frequent words from its binary trie", () => {
  const top = readGenericUnigrams(join(MODEL_DIR, 'en-us.lm.bin'), 2000);
  assert.equal(top.size, 2000);
  const words = [...top.keys()];
  for (const w of ['the', 'how', 'what', 'change', 'problem']) assert.ok(top.has(w), w);
  assert.ok(words.indexOf('the') < 5, 'the is among the five most frequent');
  assert.ok(top.get('the')! > top.get('problem')!);
  assert.ok(top.get('the')! < 0.1 && top.get('the')! > 0.01, `p(the) = ${top.get('the')}`);
});

test('a built model covers the manual terms with pronunciations and keeps generic question words', async () => {
  const files = { lm: join(dir, 'm.lm'), dict: join(dir, 'm.dict') };
  const words = await buildBiasedModel({
    hints: ['Gpredict', 'rotctld', 'SQ1', 'FreedomBox'],
    corpus: ['Gpredict talks to rotctld over TCP. The rotator controller has Track and Engage buttons.', 'a zzqxv zzqxv zzqxv b'],
    modelDir: MODEL_DIR,
    genericWords: 3000,
    genericWeight: 0.15,
    files,
  });
  const dict = new Map(readFileSync(files.dict, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
  for (const w of ['gpredict', 'rotctld', 'sq1', 'freedombox', 'controller', 'engage', 'how', 'change']) assert.ok(dict.has(w), `${w} in the dictionary`);
  assert.equal(dict.get('freedombox'), 'F R IY D AH M B AA K S');
  // Manual words outside the dictionary enter only when frequent: one mention is more likely noise.
  assert.ok(!dict.has('rotator'), 'a single mention of an unknown word stays out');
  assert.ok(dict.has('zzqxv'), 'three mentions earn a letter-to-sound pronunciation');
  const lm = readFileSync(files.lm, 'utf8');
  assert.ok(lm.includes('\tgpredict talks to\n'), 'a trigram of the manual');
  assert.ok(lm.includes('\thow do i\n'), 'a trigram of the question sentences');
  assert.ok(words > 3000 && words < 4000, `vocabulary ${words}`);
});
