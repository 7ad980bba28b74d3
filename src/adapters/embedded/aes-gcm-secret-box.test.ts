import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AesGcmSecretBox } from './aes-gcm-secret-box.js';

const serverSecret = 'x'.repeat(48);

it('seals a secret so the stored form does not contain it, and opens it back', () => {
  const box = new AesGcmSecretBox(serverSecret);
  const sealed = box.seal('mks_the-secret', 'api-key:mk_1:ann');
  assert.match(sealed, /^v1\./);
  assert.ok(!sealed.includes('mks_the-secret'));
  assert.notEqual(box.seal('mks_the-secret', 'api-key:mk_1:ann'), sealed); // fresh IV each time
  assert.equal(box.open(sealed, 'api-key:mk_1:ann'), 'mks_the-secret');
});

it('does not open under another context, another server secret, or after tampering', () => {
  const box = new AesGcmSecretBox(serverSecret);
  const sealed = box.seal('mks_the-secret', 'api-key:mk_1:ann');
  assert.throws(() => box.open(sealed, 'api-key:mk_1:bob'));
  assert.throws(() => new AesGcmSecretBox('y'.repeat(48)).open(sealed, 'api-key:mk_1:ann'));
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  raw[raw.length - 1]! ^= 1;
  assert.throws(() => box.open(`v1.${raw.toString('base64url')}`, 'api-key:mk_1:ann'));
  assert.throws(() => box.open('v2.abc', 'api-key:mk_1:ann'));
  assert.throws(() => new AesGcmSecretBox('short'));
});
