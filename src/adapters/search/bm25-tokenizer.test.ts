import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { repoRoot } from '../../../test/helpers/eval-manuals.js';
import { porter, tokenize } from './bm25-tokenizer.js';

/** Token sequences FTS5 itself produces with SqliteKnowledgeBase's tokenizer, one per text. */
function fts5Tokens(texts: string[]): string[][] {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'porter unicode61 remove_diacritics 2');
             CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);`);
    const insert = db.prepare('INSERT INTO t(rowid, x) VALUES (?, ?)');
    db.transaction(() => texts.forEach((x, i) => insert.run(i + 1, x)))();
    const out: string[][] = texts.map(() => []);
    for (const r of db.prepare('SELECT term, doc, offset FROM v ORDER BY doc, offset').all() as { term: string; doc: number; offset: number }[]) {
      out[r.doc - 1]![r.offset] = r.term;
    }
    return out;
  } finally {
    db.close();
  }
}

it('tokenizes tricky manual text exactly as FTS5 porter unicode61 remove_diacritics 2', () => {
  const texts = [
    'Forward UDP ports 3478 and 49152-50175 on your router.',
    'A 12V supply; firmware 3.1 or v3.1.2; IPv6-only; ups.conf; --port=3493; rotctld.conf',
    'Pop-up menus, Ports/Services, e-mail, re-enter, ON/OFF, Wi-Fi 802.11ac',
    'CONFIGURATION Configured configuring configures reconfiguration',
    'Café, naïve, résumé, Ångström, Straße, ÉCOLE, São Paulo, Zürich, coöperate',
    'e\u0301cole (a combining accent continues the word), x\u0308y',
    'administrator administration admins forgotten forgot passwords',
    'caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky',
    'relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti',
    'triplicate formative formalize electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize',
    'probate rate cease controll roll generalizations oscillators',
    'yes by my sky toy 日本語のマニュアル ٣٤٥ Ⅻ ½ x² ﬁle',
    'a ab abc aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaing abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
    'Größe größer grösser müssen Ærøskøbing ĳssel ñandú',
    '5 µs timing, ſ, ǅ, ﬁle, İstanbul, ΣΊΣΥΦΟΣ σοφός Άρης, ϐ, Ω',
  ];
  assert.deepEqual(
    texts.map((t) => tokenize(t)),
    fts5Tokens(texts),
  );
});

it('stems every word of the repository documentation as FTS5 does (thousands of distinct English and technical words)', () => {
  const files = [join(repoRoot, 'README.md'), ...readdirSync(join(repoRoot, 'docs', 'decisions')).map((f) => join(repoRoot, 'docs', 'decisions', f))];
  const words = [...new Set(files.flatMap((f) => readFileSync(f, 'utf8').match(/[\p{L}\p{N}]+/gu) ?? []))];
  assert.ok(words.length > 2000, `${words.length} words`);
  const expected = fts5Tokens(words);
  const mismatches = words.filter((w, i) => tokenize(w).join(' ') !== expected[i]!.join(' '));
  assert.deepEqual(mismatches, []);
});

it('Porter examples: case is folded before stemming, short and long tokens pass through', () => {
  assert.deepEqual(tokenize('Forwarding PORTS'), ['forward', 'port']);
  assert.equal(porter('configuration'), 'configur');
  assert.equal(porter('administrator'), 'administr');
  assert.equal(porter('12v'), '12v');
  assert.equal(porter('ab'), 'ab');
  assert.deepEqual(tokenize('3.1'), ['3', '1']);
});
