import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fakeWorld, samplePdf } from '../../../test/helpers/ingest-fixtures.js';
import { ManuelError } from '../errors.js';
import { looksLikePdf, submitManual } from './submit-manual.js';

const isCode = (code: string) => (e: unknown) => e instanceof ManuelError && e.code === code;

describe('submitManual', () => {
  it('rejects bytes that are not a PDF, whatever the file is called, and stores nothing', async () => {
    const w = fakeWorld();
    await assert.rejects(submitManual(w, { ownerId: 'alice', fileName: 'x.pdf', data: Buffer.from('<html>nope</html>'), source: 'upload' }), isCode('not_a_pdf'));
    await assert.rejects(submitManual(w, { ownerId: 'alice', fileName: 'x.pdf', data: Buffer.alloc(0), source: 'upload' }), isCode('not_a_pdf'));
    assert.equal(w.blobs.blobs.size, 0);
    assert.equal(w.manuals.rows.size, 0);
  });

  it('finds the %PDF- header within the first 1024 bytes only', () => {
    assert.equal(looksLikePdf(Buffer.concat([Buffer.alloc(1000, 32), Buffer.from('%PDF-1.4')])), true);
    assert.equal(looksLikePdf(Buffer.concat([Buffer.alloc(1024, 32), Buffer.from('%PDF-1.4')])), false);
  });

  it('stores the PDF by content hash and creates a queued manual with its job', async () => {
    const w = fakeWorld();
    const data = samplePdf();
    const r = await submitManual(w, { ownerId: 'alice', fileName: 'C:\\Users\\a\\router guide.pdf', data, source: 'upload' });
    const sha = createHash('sha256').update(data).digest('hex');
    assert.equal(r.duplicate, false);
    assert.equal(r.manual.blobKey, `manuals/${sha}.pdf`);
    assert.equal(r.manual.name, 'router guide.pdf');
    assert.equal(r.manual.size, data.length);
    assert.equal(r.manual.status, 'queued');
    assert.deepEqual(await w.blobs.get(r.manual.blobKey), data);
    assert.deepEqual(await w.manuals.get(r.manual.id, ['alice']), r.manual);
    const job = await w.jobs.get(r.job.id, ['alice']);
    assert.equal(job?.manualId, r.manual.id);
    assert.equal(job?.status, 'queued');
    const named = await submitManual(w, { ownerId: 'alice', fileName: 'b.pdf', name: '  Dishwasher  ', data: samplePdf('b'), source: 'url' });
    assert.equal(named.manual.name, 'Dishwasher');
    assert.equal(named.manual.source, 'url');
  });

  it('a duplicate by the same owner returns the existing manual and its job; another owner gets their own manual on the same blob', async () => {
    const w = fakeWorld();
    const data = samplePdf();
    const first = await submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' });
    const again = await submitManual(w, { ownerId: 'alice', fileName: 'renamed.pdf', data, source: 'upload' });
    assert.equal(again.duplicate, true);
    assert.equal(again.manual.id, first.manual.id);
    assert.equal(again.job.id, first.job.id);
    const bob = await submitManual(w, { ownerId: 'bob', fileName: 'a.pdf', data, source: 'upload' });
    assert.equal(bob.duplicate, false);
    assert.notEqual(bob.manual.id, first.manual.id);
    assert.equal(bob.manual.blobKey, first.manual.blobKey);
    assert.equal(w.blobs.blobs.size, 1);
    assert.equal(w.manuals.rows.size, 2);
  });

  it('re-uploading a failed manual queues a fresh attempt on the same manual', async () => {
    const w = fakeWorld();
    const data = samplePdf();
    const first = await submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' });
    await w.manuals.update(first.manual.id, { status: 'failed', error: 'internal_error' });
    const again = await submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' });
    assert.equal(again.duplicate, true);
    assert.equal(again.manual.id, first.manual.id);
    assert.notEqual(again.job.id, first.job.id);
    assert.equal((await w.manuals.get(first.manual.id, ['alice']))?.status, 'queued');
    assert.equal((await w.jobs.forManual(first.manual.id)).length, 2);
  });

  it('leaves nothing half-created when the enqueue fails, but keeps a blob another manual uses', async () => {
    const w = fakeWorld();
    const data = samplePdf();
    w.jobs.failNextEnqueue = true;
    await assert.rejects(submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' }), /queue unavailable/);
    assert.equal(w.manuals.rows.size, 0);
    assert.equal(w.blobs.blobs.size, 0);

    await submitManual(w, { ownerId: 'bob', fileName: 'a.pdf', data, source: 'upload' });
    w.jobs.failNextEnqueue = true;
    await assert.rejects(submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' }));
    assert.equal(w.manuals.rows.size, 1);
    assert.equal(w.blobs.blobs.size, 1, "bob's PDF is still there");
  });

  it('a blob write that fails halfway leaves no partial blob, no manual and no job, and answers storage_error with the cause', async () => {
    const w = fakeWorld();
    const data = samplePdf();
    // A non-atomic store: half the bytes land under the key, then the write fails.
    w.blobs.put = async (key, bytes) => {
      w.blobs.blobs.set(key, (bytes as Buffer).subarray(0, (bytes as Buffer).length >> 1));
      throw new Error('EIO: i/o error, write');
    };
    await assert.rejects(submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' }), (e: unknown) => {
      assert.ok(isCode('storage_error')(e));
      assert.match(String(((e as Error).cause as Error).message), /EIO/);
      assert.doesNotMatch((e as Error).message, /EIO/, 'the cause stays out of the client message');
      return true;
    });
    assert.equal(w.blobs.blobs.size, 0);
    assert.equal(w.manuals.rows.size, 0);
    assert.equal((await w.jobs.claim('w', 1000)), null);
  });
});
