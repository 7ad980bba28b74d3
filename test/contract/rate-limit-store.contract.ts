import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RateLimitStore } from '../../src/core/ports/rate-limit-store.js';

/** `make` builds a fresh store; `twin`, when given, is a second client of the same store (another process). */
export function rateLimitStoreContract(
  name: string,
  make: () => Promise<{ store: RateLimitStore; twin?: RateLimitStore; cleanup?: () => Promise<void> | void }>,
): void {
  describe(`RateLimitStore contract: ${name}`, () => {
    let store: RateLimitStore;
    let twin: RateLimitStore | undefined;
    let cleanup: (() => Promise<void> | void) | undefined;
    before(async () => ({ store, twin, cleanup } = await make()));
    after(() => cleanup?.());
    const unique = (tag: string) => `${tag}-${randomBytes(4).toString('hex')}`;

    it('counts up to the limit, then refuses until the window ends, keys apart', async () => {
      const c = store.counter({ name: unique('p'), points: 3, windowSeconds: 60 });
      const states = [];
      for (let i = 0; i < 5; i++) states.push(await c.consume('a'));
      assert.deepEqual(states.map((s) => s.allowed), [true, true, true, false, false]);
      assert.deepEqual(states.map((s) => s.remaining), [2, 1, 0, 0, 0]);
      assert.equal(states[4]!.consumed, 5);
      assert.ok(states[4]!.resetMs > 0 && states[4]!.resetMs <= 60_000);
      assert.ok(states.every((s) => s.counted));
      assert.equal((await c.consume('b')).allowed, true, 'another key has its own count');
    });

    it('admits exactly the limit out of many concurrent consumes', async () => {
      const c = store.counter({ name: unique('race'), points: 20, windowSeconds: 60 });
      const states = await Promise.all(Array.from({ length: 100 }, () => c.consume('k')));
      assert.equal(states.filter((s) => s.allowed).length, 20);
    });

    it('starts a new window after the old one', async () => {
      const c = store.counter({ name: unique('w'), points: 1, windowSeconds: 1 });
      assert.equal((await c.consume('k')).allowed, true);
      assert.equal((await c.consume('k')).allowed, false);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await c.consume('k')).allowed, true);
    });

    it('blocks for blockSeconds once over, past the end of the window', async () => {
      const c = store.counter({ name: unique('b'), points: 2, windowSeconds: 1, blockSeconds: 30 });
      await c.consume('k');
      await c.consume('k');
      const over = await c.consume('k');
      assert.equal(over.allowed, false);
      assert.ok(over.resetMs > 20_000, `blocked for ${over.resetMs} ms`);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await c.consume('k')).allowed, false, 'still blocked after the window');
    });

    it('reward gives points back and delete forgets the key', async () => {
      const c = store.counter({ name: unique('r'), points: 2, windowSeconds: 60 });
      await c.consume('k');
      await c.consume('k');
      await c.reward('k');
      assert.equal((await c.consume('k')).allowed, true);
      assert.equal((await c.consume('k')).allowed, false);
      await c.delete('k');
      assert.equal((await c.consume('k')).remaining, 1);
    });

    it('is shared by every client of the same store, exactly', async (t) => {
      if (!twin) return t.skip('one process only');
      const policy = { name: unique('shared'), points: 30, windowSeconds: 60 };
      const a = store.counter(policy);
      const b = twin.counter(policy);
      const states = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).consume('k')));
      assert.equal(states.filter((s) => s.allowed).length, 30);
    });
  });
}
