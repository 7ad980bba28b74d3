import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryManualRepo, MemoryLogger } from '../../../test/helpers/fakes.js';
import { MemoryManualSetVersions } from '../../adapters/embedded/memory-manual-set-versions.js';
import type { Manual } from '../model/types.js';
import type { ManualSetVersions } from '../ports/manual-set-versions.js';
import { VersionedManualRepo } from './versioned-manual-repo.js';

const manual = (id: string, ownerId: string) => ({ id, ownerId, name: id, status: 'queued', chunks: 0, embeddedChunks: 0 }) as unknown as Manual;

function setup(versions: ManualSetVersions) {
  const inner = new InMemoryManualRepo();
  const owners = new Map<string, string>();
  const repo = new VersionedManualRepo(inner, versions, async (id) => owners.get(id) ?? null, new MemoryLogger());
  const create = async (m: Manual) => {
    owners.set(m.id, m.ownerId);
    await repo.create(m);
  };
  return { repo, create };
}

/** Versions whose bumps fail until `up()` (Redis down, then back). */
function flakyVersions() {
  const real = new MemoryManualSetVersions();
  let down = true;
  const flaky: ManualSetVersions = {
    read: (o) => real.read(o),
    bump: (o) => (down ? Promise.reject(new Error('redis down')) : real.bump(o)),
  };
  return { real, flaky, up: () => void (down = false) };
}

describe('VersionedManualRepo', () => {
  it("bumps the owner's version on create, update and delete, and no one else's", async () => {
    const versions = new MemoryManualSetVersions();
    const { repo, create } = setup(versions);
    await create(manual('m1', 'alice'));
    await repo.update('m1', { status: 'processing' });
    await create(manual('s1', 'shared'));
    assert.deepEqual(await repo.readVersions.read(['alice', 'shared', 'bob']), [2, 1, 0]);
    assert.equal(await repo.delete('m1'), true);
    assert.deepEqual(await repo.readVersions.read(['alice', 'shared']), [3, 1]);
  });

  it('never fails a write when the versions are down; answers bypass the cache until the bump lands', async () => {
    const { flaky, up } = flakyVersions();
    const { repo, create } = setup(flaky);
    await create(manual('m1', 'alice')); // does not throw
    await assert.rejects(repo.readVersions.read(['alice', 'shared']), /pending/);
    assert.deepEqual(await repo.readVersions.read(['bob']), [0], 'other owners are unaffected');
    up();
    assert.deepEqual(await repo.readVersions.read(['alice', 'shared']), [1, 0]);
  });

  it('a lookup that reads the versions itself goes under the same rule (lookupThrough)', async () => {
    const { real, flaky, up } = flakyVersions();
    const { repo, create } = setup(flaky);
    const asked: string[][] = [];
    const lookup = repo.lookupThrough({ lookup: async (owners, base) => (asked.push([...owners]), { key: `${base}:v`, value: null }) });
    await create(manual('m1', 'alice'));
    await assert.rejects(lookup.lookup(['alice', 'shared'], 'b'), /pending/);
    assert.deepEqual(asked, [], 'not looked up while a bump is missing');
    await lookup.lookup(['bob'], 'b');
    up();
    await lookup.lookup(['alice', 'shared'], 'b');
    assert.deepEqual(asked, [['bob'], ['alice', 'shared']]);
    assert.deepEqual(await real.read(['alice']), [1], 'the bump landed first');
  });
});
