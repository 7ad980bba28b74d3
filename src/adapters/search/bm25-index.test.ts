import assert from 'node:assert/strict';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { ftsQuery } from '../embedded/sqlite-knowledge-base.js';
import { bm25, bm25WithStatistics, documentCount, documentTokens, queryPhrases, termPhrase, TextIndex } from './bm25-index.js';

const DOCS: { text: string; heading: string | null }[] = [
  { text: 'Forward UDP ports 3478 and 49152-50175 on your router for the TURN server.', heading: '5.3 Port Forwarding' },
  { text: 'Press the reset button for ten seconds to restore factory settings.', heading: null },
  { text: 'The administrator password, if forgotten, can be reset from the app page.', heading: 'Administration' },
  { text: 'Use a 12V DC supply. Firmware 3.1 or later; v3.1.2 fixes the 12 V brown-out.', heading: 'Power' },
  { text: 'Pop-up menus: ON/OFF. Wi-Fi 802.11ac. Set --port=3493 in ups.conf, then reload ups.conf.', heading: 'Configuration' },
  { text: 'port port port port forwarding forwarded forwards', heading: 'Ports/Services' },
  { text: 'configure configured configuration reconfigure CONFIG config', heading: null },
  { text: 'the the the of and a', heading: 'the' },
  { text: 'Reset: hold RESET. A reset resets everything; resetting twice is a factory reset.', heading: 'Reset and reboot' },
];

/** FTS5's own ranking of the docs for a MATCH expression, with SqliteKnowledgeBase's column weights. */
function fts5(match: string): { doc: number; score: number }[] {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(text, heading, tokenize = 'porter unicode61 remove_diacritics 2')`);
    const insert = db.prepare('INSERT INTO t(rowid, text, heading) VALUES (?, ?, ?)');
    DOCS.forEach((d, i) => insert.run(i + 1, d.text, d.heading ?? ''));
    return (db.prepare('SELECT rowid, bm25(t, 1.0, 0.6) AS rank FROM t WHERE t MATCH ? ORDER BY rank, rowid').all(match) as { rowid: number; rank: number }[]).map((r) => ({
      doc: r.rowid - 1,
      score: -r.rank,
    }));
  } finally {
    db.close();
  }
}

it('scores every document exactly as FTS5 bm25(t, 1.0, 0.6) for questions with hyphens, numbers, versions, case, headings, repeats and prefixes', () => {
  const index = new TextIndex(DOCS);
  const questions = [
    'Which UDP ports for the TURN server?',
    '49152-50175',
    'port forwarding',
    'PORTS Forwarded',
    '12V supply',
    '12 V',
    'firmware 3.1',
    'v3.1.2',
    'pop-up ON/OFF wi-fi 802.11ac',
    '--port ups.conf',
    'I forgot the admin password',
    'config reconfiguration',
    'reset reset button',
    'resetting the router',
    'the of and',
    'Café naïve',
  ];
  let checked = 0;
  for (const q of questions) {
    for (const prefix of [false, true]) {
      const match = ftsQuery(q, prefix);
      const got = bm25([index], queryPhrases(q, prefix), () => true, 100);
      const want = match ? fts5(match) : [];
      assert.deepEqual(
        got.map((h) => h.doc),
        want.map((h) => h.doc),
        `${q} (${match})`,
      );
      got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i]!.score) < 1e-9, `${q}: ${h.score} vs ${want[i]!.score}`));
      checked += want.length;
    }
  }
  assert.ok(checked > 40, `${checked} scores checked`);
});

it('statistics span every index searched together, but only accepted documents are returned', () => {
  const a = new TextIndex(DOCS.slice(0, 5));
  const b = new TextIndex(DOCS.slice(5));
  const whole = bm25([new TextIndex(DOCS)], queryPhrases('reset port'), () => true, 100);
  const split = bm25([a, b], queryPhrases('reset port'), () => true, 100);
  assert.deepEqual(
    split.map((h) => [h.shard === 0 ? h.doc : h.doc + 5, h.score]),
    whole.map((h) => [h.doc, h.score]),
  );
  const onlyB = bm25([a, b], queryPhrases('reset port'), (shard) => shard === 1, 100);
  assert.ok(onlyB.length > 0 && onlyB.every((h) => h.shard === 1));
  assert.deepEqual(
    onlyB.map((h) => h.score),
    split.filter((h) => h.shard === 1).map((h) => h.score),
  );
  assert.equal(documentCount([a, b], termPhrase('reset')), 3);
  assert.equal(documentCount([a, b], termPhrase('49152 50175')), 1);
  assert.equal(documentCount([a, b], termPhrase('50175 49152')), 0);
  assert.equal(documentCount([a, b], termPhrase('--')), 0);
});

it('bm25WithStatistics scores a document as bm25() does when given the same statistics', () => {
  const index = new TextIndex(DOCS);
  const rows = DOCS.length;
  const avgdl = index.totalTokens / rows;
  const docs = DOCS.map(documentTokens);
  for (const q of ['reset reset button', 'port forwarding', '12 V', 'firmware 3.1', 'I forgot the admin password']) {
    for (const prefix of [false, true]) {
      const phrases = queryPhrases(q, prefix).map((phrase) => ({ phrase, documents: index.match(phrase).size }));
      const got = bm25WithStatistics(docs, phrases, { rows, avgdl });
      const want = bm25([index], queryPhrases(q, prefix), () => true, 100);
      assert.ok(want.length > 0, q);
      for (const h of want) assert.ok(Math.abs(got[h.doc]! - h.score) < 1e-9, `${q} (prefix ${prefix}) doc ${h.doc}: ${got[h.doc]} vs ${h.score}`);
      assert.equal(got.filter((s) => s > 0).length, want.length, q);
    }
  }
  // Other statistics, other scores: a phrase in fewer documents weighs more.
  const [rare] = bm25WithStatistics([docs[1]!], [{ phrase: queryPhrases('reset')[0]!, documents: 1 }], { rows, avgdl });
  const [common] = bm25WithStatistics([docs[1]!], [{ phrase: queryPhrases('reset')[0]!, documents: 4 }], { rows, avgdl });
  assert.ok(rare! > common!, `${rare} > ${common}`);
});
