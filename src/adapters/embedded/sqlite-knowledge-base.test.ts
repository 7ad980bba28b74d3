import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tokenize } from '../search/bm25-tokenizer.js';
import { openDatabase } from './sqlite-db.js';
import { columnSizesTotal, SqliteKnowledgeBase } from './sqlite-knowledge-base.js';

it('columnSizesTotal sums the SQLite varints of an FTS5 docsize record', () => {
  assert.equal(columnSizesTotal(Uint8Array.of()), 0);
  assert.equal(columnSizesTotal(Uint8Array.of(2, 0)), 2);
  assert.equal(columnSizesTotal(Uint8Array.of(0x0c, 0x02)), 14);
  // 200 = 0b1_1001000: two bytes, high bit set on the first
  assert.equal(columnSizesTotal(Uint8Array.of(0x81, 0x48, 0x05)), 205);
  assert.equal(columnSizesTotal(Uint8Array.of(0x82, 0x80, 0x00)), 32768);
});

it("FTS5's docsize records hold the token counts of our tokenizer (text and heading)", async () => {
  const db = openDatabase(':memory:');
  try {
    const kb = new SqliteKnowledgeBase(db);
    const texts = [
      { text: 'Forward UDP ports 3478 and 49152-50175 on your router.', heading: '5.3 Port Forwarding' },
      { text: 'Café naïve: v3.1.2 fixes the 12 V brown-out. '.repeat(20), heading: null },
    ];
    await kb.indexChunks(
      'm',
      'o',
      'M',
      texts.map((t, i) => ({ id: `m:${i}`, manualId: 'm', ownerId: 'o', pageNumber: i + 1, pageLabel: null, heading: t.heading, text: t.text, ordinal: i })),
    );
    const sizes = db.prepare('SELECT sz FROM kb_fts_docsize ORDER BY id').pluck().all() as Buffer[];
    assert.deepEqual(
      sizes.map(columnSizesTotal),
      texts.map((t) => tokenize(t.text).length + tokenize(t.heading ?? '').length),
    );
  } finally {
    db.close();
  }
});
