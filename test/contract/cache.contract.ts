import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Cache } from '../../src/core/ports/cache.js';
import { ManualClock } from '../helpers/fakes.js';

export type CacheFactory = (clock: ManualClock) => Cache | Promise<{ cache: Cache; cleanup?: () => Promise<void> | void }>;

export function cacheContract(name: string, make: CacheFactory): void {
  describe(`Cache contract: ${name}`, () => {
    let cleanup: (() => Promise<void> | void) | undefined;
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });
    const open = async (clock: ManualClock) => {
      const made = await make(clock);
      if ('get' in made) return made;
      cleanup = made.cleanup;
      return made.cache;
    };

    it('gets what was set until the TTL runs out', async () => {
      const clock = new ManualClock();
      const c = await open(clock);
      assert.equal(await c.get('k'), null);
      await c.set('k', 'v', 10);
      assert.equal(await c.get('k'), 'v');
      clock.advance(9_999);
      assert.equal(await c.get('k'), 'v');
      clock.advance(1);
      assert.equal(await c.get('k'), null);
    });

    it('overwrites and deletes', async () => {
      const c = await open(new ManualClock());
      await c.set('k', 'one', 60);
      await c.set('k', 'two', 60);
      assert.equal(await c.get('k'), 'two');
      await c.del('k');
      assert.equal(await c.get('k'), null);
      await c.del('never-set');
    });

    it('keeps values byte for byte, newlines and non-ASCII included, per key', async () => {
      const c = await open(new ManualClock());
      const v = JSON.stringify({ answer: 'Halte 3 s\nappuyée — « reset »', sources: [] });
      await c.set('answer:alice:x', v, 60);
      await c.set('answer:bob:x', 'other', 60);
      assert.equal(await c.get('answer:alice:x'), v);
      assert.equal(await c.get('answer:bob:x'), 'other');
    });
  });
}
