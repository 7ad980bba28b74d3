import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManuelError } from '../../src/core/errors.js';
import type { ApiKeyRecord, ApiKeyRepo } from '../../src/core/ports/api-key-repo.js';

const key = (over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  keyId: 'mk_1',
  userId: 'ann',
  name: 'laptop',
  sealedSecret: 'v1.sealed-1',
  secretSha256: 'a'.repeat(64),
  createdAt: '2026-01-01T10:00:00.000Z',
  ...over,
});

/** Sync (SQLite, memory) or async (an emulator's fresh table). */
type MaybePromise<T> = T | Promise<T>;

export function apiKeyRepoContract(name: string, make: () => MaybePromise<{ repo: ApiKeyRepo; cleanup?: () => void | Promise<void> }>): void {
  describe(`ApiKeyRepo contract: ${name}`, () => {
    let repo: ApiKeyRepo;
    let cleanup: (() => void | Promise<void>) | undefined;
    beforeEach(async () => ({ repo, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('round-trips a key by id and lists a user\'s keys oldest first', async () => {
      await repo.create(key({ keyId: 'mk_2', secretSha256: 'b'.repeat(64), createdAt: '2026-01-02T00:00:00.000Z' }));
      await repo.create(key());
      await repo.create(key({ keyId: 'mk_3', userId: 'bob', secretSha256: 'c'.repeat(64) }));
      assert.deepEqual(await repo.byId('mk_1'), key());
      assert.equal(await repo.byId('mk_nope'), null);
      assert.deepEqual((await repo.listForUser('ann')).map((k) => k.keyId), ['mk_1', 'mk_2']);
      assert.deepEqual((await repo.listForUser('bob')).map((k) => k.keyId), ['mk_3']);
      assert.deepEqual(await repo.listForUser('nobody'), []);
      assert.deepEqual((await repo.listAll()).map((k) => k.keyId), ['mk_1', 'mk_3', 'mk_2']);
    });

    it('refuses a duplicate key id or secret with conflict', async () => {
      await repo.create(key());
      const conflict = (e: unknown) => e instanceof ManuelError && e.code === 'conflict';
      await assert.rejects(repo.create(key({ secretSha256: 'd'.repeat(64) })), conflict);
      await assert.rejects(repo.create(key({ keyId: 'mk_9' })), conflict);
    });

    it('deletes only the owner\'s key', async () => {
      await repo.create(key());
      assert.equal(await repo.delete('bob', 'mk_1'), false);
      assert.notEqual(await repo.byId('mk_1'), null);
      assert.equal(await repo.delete('ann', 'mk_1'), true);
      assert.equal(await repo.byId('mk_1'), null);
      assert.equal(await repo.delete('ann', 'mk_1'), false);
    });
  });
}
