import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManuelError } from '../../src/core/errors.js';
import { SHARED_OWNER, type Manual } from '../../src/core/model/types.js';
import type { ManualRepo } from '../../src/core/ports/manual-repo.js';

export const sampleManual = (over: Partial<Manual> = {}): Manual => ({
  id: 'm1',
  ownerId: 'alice',
  name: 'Router guide',
  fileName: 'router.pdf',
  contentHash: 'a'.repeat(64),
  blobKey: `manuals/${'a'.repeat(64)}.pdf`,
  size: 1234,
  pages: 0,
  chunks: 0,
  embeddedChunks: 0,
  status: 'queued',
  uploadDate: '2025-03-10T12:00:00.000Z',
  error: null,
  source: 'upload',
  quarantineReason: null,
  quarantineReleasedAt: null,
  ...over,
});

export function manualRepoContract(name: string, make: () => { repo: ManualRepo; cleanup?: () => void }): void {
  describe(`ManualRepo contract: ${name}`, () => {
    let repo: ManualRepo;
    let cleanup: (() => void) | undefined;
    beforeEach(() => ({ repo, cleanup } = make()));
    afterEach(() => cleanup?.());

    it('round-trips every field', async () => {
      const m = sampleManual({ error: null, pages: 3 });
      await repo.create(m);
      assert.deepEqual(await repo.get('m1', ['alice']), m);
    });

    it('never returns a manual outside visibleOwners (get, list)', async () => {
      await repo.create(sampleManual());
      await repo.create(sampleManual({ id: 'm2', ownerId: 'bob', contentHash: 'b'.repeat(64) }));
      await repo.create(sampleManual({ id: 'm3', ownerId: SHARED_OWNER, contentHash: 'c'.repeat(64) }));
      assert.equal(await repo.get('m2', ['alice', SHARED_OWNER]), null);
      assert.equal((await repo.get('m3', ['alice', SHARED_OWNER]))?.id, 'm3');
      assert.deepEqual((await repo.list(['alice', SHARED_OWNER])).map((m) => m.id).sort(), ['m1', 'm3']);
      assert.deepEqual((await repo.list(['bob'])).map((m) => m.id), ['m2']);
      assert.deepEqual(await repo.list([]), []);
      assert.equal(await repo.get('m1', []), null);
    });

    it('lists newest upload first', async () => {
      await repo.create(sampleManual({ id: 'old', uploadDate: '2025-01-01T00:00:00.000Z' }));
      await repo.create(sampleManual({ id: 'new', contentHash: 'd'.repeat(64), uploadDate: '2025-02-01T00:00:00.000Z' }));
      assert.deepEqual((await repo.list(['alice'])).map((m) => m.id), ['new', 'old']);
    });

    it('finds by hash per owner only', async () => {
      await repo.create(sampleManual());
      assert.equal((await repo.findByHash('alice', 'a'.repeat(64)))?.id, 'm1');
      assert.equal(await repo.findByHash('bob', 'a'.repeat(64)), null);
    });

    it('rejects a second manual with the same owner and hash (conflict), allows it for another owner', async () => {
      await repo.create(sampleManual());
      await assert.rejects(repo.create(sampleManual({ id: 'm2' })), (e: unknown) => e instanceof ManuelError && e.code === 'conflict');
      await repo.create(sampleManual({ id: 'm3', ownerId: 'bob' }));
      assert.equal(await repo.countByBlobKey(sampleManual().blobKey), 2);
    });

    it('updates only the given fields, including setting error back to null', async () => {
      await repo.create(sampleManual({ error: 'invalid_pdf', status: 'failed' }));
      await repo.update('m1', { status: 'completed', pages: 12, chunks: 40, embeddedChunks: 40, error: null });
      const m = await repo.get('m1', ['alice']);
      assert.equal(m?.status, 'completed');
      assert.equal(m?.pages, 12);
      assert.equal(m?.embeddedChunks, 40);
      assert.equal(m?.error, null);
      assert.equal(m?.name, 'Router guide');
    });

    it('deletes and reports whether anything was deleted', async () => {
      await repo.create(sampleManual());
      assert.equal(await repo.delete('m1'), true);
      assert.equal(await repo.delete('m1'), false);
      assert.equal(await repo.get('m1', ['alice']), null);
      assert.equal(await repo.countByBlobKey(sampleManual().blobKey), 0);
    });

    it('keeps a quarantine reason and its release; lists quarantined manuals of every owner for admins', async () => {
      await repo.create(sampleManual({ quarantineReason: 'The PDF contains JavaScript' }));
      await repo.create(sampleManual({ id: 'm2', ownerId: 'bob', contentHash: 'b'.repeat(64) }));
      await repo.create(sampleManual({ id: 'm3', ownerId: 'carol', contentHash: 'c'.repeat(64), uploadDate: '2025-04-01T00:00:00.000Z' }));
      await repo.update('m3', { quarantineReason: 'The PDF contains embedded files' });
      assert.equal((await repo.get('m1', ['alice']))?.quarantineReason, 'The PDF contains JavaScript');
      assert.deepEqual((await repo.listQuarantined()).map((m) => [m.id, m.ownerId]), [['m3', 'carol'], ['m1', 'alice']]);
      // The per-owner reads stay filtered: quarantine is no way around isolation.
      assert.equal(await repo.get('m3', ['alice']), null);

      await repo.update('m1', { quarantineReleasedAt: '2025-05-01T00:00:00.000Z' });
      const released = await repo.get('m1', ['alice']);
      assert.equal(released?.quarantineReleasedAt, '2025-05-01T00:00:00.000Z');
      assert.equal(released?.quarantineReason, 'The PDF contains JavaScript', 'the reason stays on record after release');
      assert.deepEqual((await repo.listQuarantined()).map((m) => m.id), ['m3']);
    });
  });
}
