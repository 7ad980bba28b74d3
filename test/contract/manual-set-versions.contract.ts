import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ManualSetVersions } from '../../src/core/ports/manual-set-versions.js';

export function manualSetVersionsContract(name: string, make: () => Promise<{ versions: ManualSetVersions; twin?: ManualSetVersions; cleanup?: () => Promise<void> | void }>): void {
  describe(`ManualSetVersions contract: ${name}`, () => {
    let versions: ManualSetVersions;
    let twin: ManualSetVersions | undefined;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => ({ versions, twin, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('starts at 0 and bumps one owner only, reading in the order asked', async () => {
      assert.deepEqual(await versions.read(['alice', 'shared']), [0, 0]);
      await versions.bump('shared');
      await versions.bump('shared');
      await versions.bump('alice');
      assert.deepEqual(await versions.read(['alice', 'shared', 'bob']), [1, 2, 0]);
      assert.deepEqual(await versions.read([]), []);
    });

    it('a bump by one process is seen by another', async (t) => {
      if (!twin) return t.skip('one process only');
      const [before] = await twin.read(['alice']);
      await versions.bump('alice');
      assert.deepEqual(await twin.read(['alice']), [before! + 1]);
    });
  });
}
