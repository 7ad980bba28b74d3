import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FakeSecretBox, InMemoryApiKeyRepo, ManualClock } from '../../../test/helpers/fakes.js';
import { ManuelError } from '../errors.js';
import { apiKeySecret, createApiKey, listApiKeys, MAX_KEYS_PER_USER, revokeApiKey, sha256Hex } from './api-keys.js';

const deps = () => ({ apiKeys: new InMemoryApiKeyRepo(), secretBox: new FakeSecretBox('s'), clock: new ManualClock() });

it('creates a key whose secret is returned once, stored sealed with its SHA-256, and found again for verification', async () => {
  const d = deps();
  const created = await createApiKey(d, { userId: 'ann', name: 'laptop' });
  assert.match(created.key_id, /^mk_[0-9a-f]{24}$/);
  assert.match(created.secret, /^mks_[A-Za-z0-9_-]{43}$/);
  const stored = (await d.apiKeys.byId(created.key_id))!;
  assert.equal(stored.secretSha256, sha256Hex(created.secret));
  assert.deepEqual(await apiKeySecret(d, created.key_id), { userId: 'ann', secret: created.secret });
  assert.deepEqual(await listApiKeys(d, 'ann'), [{ key_id: created.key_id, name: 'laptop', created_at: created.created_at }]);
});

it('a key moved to another user, or sealed under another server secret, is dead', async () => {
  const d = deps();
  const created = await createApiKey(d, { userId: 'ann', name: 'laptop' });
  const stored = (await d.apiKeys.byId(created.key_id))!;
  await d.apiKeys.delete('ann', created.key_id);
  await d.apiKeys.create({ ...stored, userId: 'mallory' });
  assert.equal(await apiKeySecret(d, created.key_id), null);
  const other = { ...d, secretBox: new FakeSecretBox('t') };
  const second = await createApiKey(d, { userId: 'ann', name: 'ci' });
  assert.equal(await apiKeySecret(other, second.key_id), null);
  assert.equal(await apiKeySecret(d, 'not-a-key'), null);
});

it('revokes only the caller\'s own key and caps keys per user', async () => {
  const d = deps();
  const created = await createApiKey(d, { userId: 'ann', name: 'laptop' });
  await assert.rejects(revokeApiKey(d, { userId: 'bob', keyId: created.key_id }), (e: unknown) => e instanceof ManuelError && e.code === 'not_found');
  await revokeApiKey(d, { userId: 'ann', keyId: created.key_id });
  assert.equal(await apiKeySecret(d, created.key_id), null);
  for (let i = 0; i < MAX_KEYS_PER_USER; i++) await createApiKey(d, { userId: 'ann', name: `k${i}` });
  await assert.rejects(createApiKey(d, { userId: 'ann', name: 'one too many' }), (e: unknown) => e instanceof ManuelError && e.code === 'conflict');
});
