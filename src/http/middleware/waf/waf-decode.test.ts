import assert from 'node:assert/strict';
import { it } from 'node:test';
import { base64Texts, decodedVariants, htmlDecode, urlDecodeOnce } from './waf-decode.js';

it('decodes URL (also doubly), HTML entities, unicode escapes, full-width forms and base64 tokens', () => {
  assert.equal(urlDecodeOnce('%3Cb%3E'), '<b>');
  assert.ok(decodedVariants('%253Cscript%253E').includes('<script>'), 'double URL encoding');
  assert.equal(htmlDecode('&#60;a&#x3e;&lt;&amp;'), '<a><&');
  assert.ok(decodedVariants('\\u003cscript\\u003e').includes('<script>'));
  assert.ok(decodedVariants('%u003Cscript%u003E').includes('<script>'));
  assert.ok(decodedVariants('＜script＞').includes('<script>'), 'NFKC folds full-width forms');
  assert.deepEqual(base64Texts('x PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== y'), ['<script>alert(1)</script>']);
  assert.deepEqual(base64Texts('AAECAwQFBgcICQoLDA0ODxAREhM='), [], 'binary base64 is not text');
  assert.deepEqual(decodedVariants('plain question'), ['plain question'], 'plain text stays one variant');
  assert.equal(urlDecodeOnce('100%'), '100%', 'a lone percent sign survives');
});
