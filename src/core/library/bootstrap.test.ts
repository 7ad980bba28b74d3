import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fakeWorld, samplePdf } from '../../../test/helpers/ingest-fixtures.js';
import { ManuelError } from '../errors.js';
import { submitManual } from '../ingest/submit-manual.js';
import { SHARED_OWNER } from '../model/types.js';
import { bootstrapLibrary } from './bootstrap.js';

describe('bootstrapLibrary', () => {
  it('populates the shared library from a folder, dedupes, reports status and clears only shared manuals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manuel-'));
    try {
      writeFileSync(join(dir, 'b-router.pdf'), samplePdf('router'));
      writeFileSync(join(dir, 'a-oven.PDF'), samplePdf('oven'));
      writeFileSync(join(dir, 'fake.pdf'), 'not a pdf at all');
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      const w = fakeWorld();
      const mine = await submitManual(w, { ownerId: 'alice', fileName: 'mine.pdf', data: samplePdf('mine'), source: 'upload' });

      const p = await bootstrapLibrary(w, { action: 'populate', dir });
      assert.equal(p.submitted, 2);
      assert.equal(p.rejected, 1);
      assert.deepEqual(p.files.map((f) => f.file), ['a-oven.PDF', 'b-router.pdf', 'fake.pdf']);
      assert.equal(p.files[2]?.error, 'not_a_pdf');
      const shared = await w.manuals.list([SHARED_OWNER]);
      assert.equal(shared.length, 2);
      assert.ok(shared.every((m) => m.source === 'bootstrap'));

      const again = await bootstrapLibrary(w, { action: 'populate', dir });
      assert.equal(again.submitted, 0);
      assert.equal(again.duplicates, 2);

      const s = await bootstrapLibrary(w, { action: 'status', dir });
      assert.equal(s.count, 2);
      assert.deepEqual(s.by_status, { queued: 2 });

      const c = await bootstrapLibrary(w, { action: 'clear', dir });
      assert.equal(c.deleted, 2);
      assert.equal(c.cleanup_summary.jobs_deleted, 2);
      assert.equal(c.files_deleted, 2);
      assert.equal((await w.manuals.list([SHARED_OWNER])).length, 0);
      assert.ok(await w.manuals.get(mine.manual.id, ['alice']), "a user's manual is untouched");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing folder is not_found', async () => {
    await assert.rejects(bootstrapLibrary(fakeWorld(), { action: 'populate', dir: '/nonexistent/manuel-lib' }), (e: unknown) => e instanceof ManuelError && e.code === 'not_found');
  });
});
