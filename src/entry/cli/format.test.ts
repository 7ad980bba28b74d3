import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatSource, formatSources, formatTable, formatTree } from './format.js';

test('a source reads "manual p. N (label)", the label only when it differs from N', () => {
  assert.equal(formatSource({ manual_name: 'router.pdf', page_number: 14, page_label: 'xii' }), 'router.pdf p. 14 (xii)');
  assert.equal(formatSource({ manual_name: 'router.pdf', page_number: 14, page_label: '14' }), 'router.pdf p. 14');
  assert.equal(formatSource({ manual_name: 'router.pdf', page_number: 3, page_label: null }), 'router.pdf p. 3');
});

test('sources are numbered in server order, matching the [n] citations of the answer', () => {
  const s = (page: number) => ({ manual_id: 'm', manual_name: 'a.pdf', page_number: page, page_label: null, chunk_text: '', score: 0 });
  assert.deepEqual(formatSources([s(5), s(2), s(5)]), ['  [1] a.pdf p. 5', '  [2] a.pdf p. 2', '  [3] a.pdf p. 5']);
});

test('tables pad columns; trees indent nested objects', () => {
  assert.deepEqual(formatTable(['ID', 'NAME'], [['abc', 'x.pdf'], ['a', 'longer.pdf']]), ['ID   NAME', 'abc  x.pdf', 'a    longer.pdf']);
  assert.deepEqual(formatTree({ daily: { used: 2, limit: 50 }, reasons: [], note: null }), ['daily:', '  used: 2', '  limit: 50', 'reasons: (none)', 'note: -']);
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(5 * 1024 * 1024), '5.0 MB');
});
