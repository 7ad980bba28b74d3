import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PronunciationDictionary, espeakPronounce } from './sphinx-pronunciations.js';

const dir = mkdtempSync(join(tmpdir(), 'manuel-dict-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'mini.dict');
writeFileSync(
  file,
  ['a EY', 'b B IY', 'c S IY', 'n EH N', 'i AY', 'v V IY', 'one W AH N', 'box B AA K S', 'freedom F R IY D AH M', 'open OW P AH N', 'read R IY D', 'read(2) R EH D', 'tor T AO R'].join('\n'),
);
const dict = new PronunciationDictionary(file);

test('dictionary words keep every listed pronunciation', () => {
  assert.deepEqual(dict.lookup('read'), ['R IY D', 'R EH D']);
  assert.deepEqual(dict.derive('tor'), ['T AO R']);
});

test('acronyms are spelled, compounds are joined from dictionary words, camel case is split', () => {
  assert.deepEqual(dict.derive('vnc', 'VNC'), ['V IY EH N S IY']);
  assert.deepEqual(dict.derive('freedombox', 'FreedomBox'), ['F R IY D AH M B AA K S']);
  assert.deepEqual(dict.derive('openni', 'OpenNI'), ['OW P AH N EH N AY']);
  assert.deepEqual(dict.derive('vnc', 'VNC', { spell: false }), []);
  assert.deepEqual(dict.derive('3box'), []);
  assert.equal(dict.spell('abcabcabc'), null, 'long strings are not spelled out');
});

test('espeak-ng supplies letter-to-sound for words nothing else can pronounce, one line per word', async () => {
  const out = await espeakPronounce(['coturn', 'syncthing', 'plinth']);
  assert.equal(out.get('coturn'), 'K AA T ER N');
  assert.equal(out.get('plinth'), 'P L IH N TH');
  assert.match(out.get('syncthing')!, /^S IH NG K TH IH NG$/);
  assert.equal((await espeakPronounce([])).size, 0);
});
