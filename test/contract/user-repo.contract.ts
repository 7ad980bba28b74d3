import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManuelError } from '../../src/core/errors.js';
import type { User } from '../../src/core/model/types.js';
import type { UserRepo } from '../../src/core/ports/user-repo.js';

const user = (over: Partial<User> = {}): User => ({
  id: 'u1',
  email: 'Ann@Example.org',
  name: 'Ann',
  passwordHash: 'scrypt$abc',
  isAdmin: true,
  createdAt: '2025-03-10T12:00:00.000Z',
  ...over,
});

/** Sync (SQLite, memory) or async (an emulator's fresh table). */
type MaybePromise<T> = T | Promise<T>;

export function userRepoContract(name: string, make: () => MaybePromise<{ repo: UserRepo; cleanup?: () => void | Promise<void> }>): void {
  describe(`UserRepo contract: ${name}`, () => {
    let repo: UserRepo;
    let cleanup: (() => void | Promise<void>) | undefined;
    beforeEach(async () => ({ repo, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('round-trips a user by id and by email (case-insensitive)', async () => {
      await repo.create(user());
      assert.deepEqual(await repo.byId('u1'), user());
      assert.deepEqual(await repo.byEmail('ann@example.ORG'), user());
      assert.equal(await repo.byId('nobody'), null);
      assert.equal(await repo.byEmail('nobody@example.org'), null);
    });

    it('rejects a duplicate email with conflict and counts users', async () => {
      assert.equal(await repo.count(), 0);
      await repo.create(user());
      await assert.rejects(repo.create(user({ id: 'u2', email: 'ann@example.org' })), (e: unknown) => e instanceof ManuelError && e.code === 'conflict');
      await repo.create(user({ id: 'u3', email: 'bob@example.org', name: null, isAdmin: false }));
      assert.equal(await repo.count(), 2);
      assert.equal((await repo.byId('u3'))?.isAdmin, false);
      assert.equal((await repo.byId('u3'))?.name, null);
    });

    it('lists every user oldest first (admin export)', async () => {
      assert.deepEqual(await repo.list(), []);
      await repo.create(user({ id: 'u2', email: 'bob@example.org', createdAt: '2026-02-01T00:00:00.000Z' }));
      await repo.create(user());
      assert.deepEqual((await repo.list()).map((u) => u.id), ['u1', 'u2']);
      assert.deepEqual((await repo.list())[0], user());
    });

    it('deletes a user: gone by id and by email, uncounted, its email free again; others untouched', async () => {
      await repo.create(user());
      await repo.create(user({ id: 'u2', email: 'bob@example.org', isAdmin: false }));
      assert.equal(await repo.delete('u1'), true);
      assert.equal(await repo.byId('u1'), null);
      assert.equal(await repo.byEmail('ann@example.org'), null);
      assert.equal(await repo.count(), 1);
      assert.deepEqual((await repo.list()).map((u) => u.id), ['u2']);
      assert.equal(await repo.delete('u1'), false, 'a second delete finds nothing');
      assert.equal(await repo.delete('nobody'), false);
      assert.equal(await repo.count(), 1);
      await repo.create(user({ id: 'u3' }));
      assert.equal((await repo.byEmail('ann@example.org'))?.id, 'u3');
      assert.equal((await repo.byId('u2'))?.email, 'bob@example.org');
      assert.equal(await repo.count(), 2);
    });
  });
}
