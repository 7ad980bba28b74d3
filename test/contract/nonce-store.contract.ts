import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NonceStore } from '../../src/core/ports/nonce-store.js';

/** `make` builds a fresh store; `twin`, when given, is a second client of the same store (another process). */
export function nonceStoreContract(
  name: string,
  make: () => Promise<{ store: NonceStore; twin?: NonceStore; cleanup?: () => Promise<void> | void }>,
): void {
  describe(`NonceStore contract: ${name}`, () => {
    let store: NonceStore;
    let twin: NonceStore | undefined;
    let cleanup: (() => Promise<void> | void) | undefined;
    before(async () => ({ store, twin, cleanup } = await make()));
    after(() => cleanup?.());

    it('accepts a nonce once, then refuses it', async () => {
      assert.equal(await store.checkAndRemember('k1:n1', 60), true);
      assert.equal(await store.checkAndRemember('k1:n1', 60), false);
      assert.equal(await store.checkAndRemember('k1:n2', 60), true);
      assert.equal(await store.checkAndRemember('k2:n1', 60), true);
    });

    it('admits exactly one of many concurrent uses of the same nonce', async () => {
      const results = await Promise.all(Array.from({ length: 50 }, () => store.checkAndRemember('k1:race', 60)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('forgets a nonce after its lifetime', async () => {
      assert.equal(await store.checkAndRemember('k1:short', 1), true);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal(await store.checkAndRemember('k1:short', 1), true);
    });

    it('is shared by every client of the same store', async (t) => {
      if (!twin) return t.skip('one process only');
      assert.equal(await store.checkAndRemember('k1:shared', 60), true);
      assert.equal(await twin.checkAndRemember('k1:shared', 60), false);
      const both = await Promise.all([store.checkAndRemember('k1:shared2', 60), twin.checkAndRemember('k1:shared2', 60)]);
      assert.deepEqual(both.sort(), [false, true]);
    });
  });
}
