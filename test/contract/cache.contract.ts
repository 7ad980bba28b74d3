import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cache } from '../../src/core/ports/cache.js';
import { ManualClock } from '../helpers/fakes.js';

export function cacheContract(name: string, make: (clock: ManualClock) => Cache): void {
  describe(`Cache contract: ${name}`, () => {
    it('gets what was set until the TTL runs out', async () => {
      const clock = new ManualClock();
      const c = make(clock);
      assert.equal(await c.get('k'), null);
      await c.set('k', 'v', 10);
      assert.equal(await c.get('k'), 'v');
      clock.advance(9_999);
      assert.equal(await c.get('k'), 'v');
      clock.advance(1);
      assert.equal(await c.get('k'), null);
    });

    it('overwrites and deletes', async () => {
      const c = make(new ManualClock());
      await c.set('k', 'one', 60);
      await c.set('k', 'two', 60);
      assert.equal(await c.get('k'), 'two');
      await c.del('k');
      assert.equal(await c.get('k'), null);
      await c.del('never-set');
    });
  });
}
