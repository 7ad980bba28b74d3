import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld, samplePdf } from '../../../test/helpers/ingest-fixtures.js';
import { ManuelError } from '../errors.js';
import { ingestManual } from '../ingest/ingest-manual.js';
import { submitManual } from '../ingest/submit-manual.js';
import { SHARED_OWNER } from '../model/types.js';
import { fakePdf } from '../../../test/helpers/fakes.js';
import { deleteManual, getManual, getManualWithJob, listManuals, listQuarantinedManuals, readManualFile, releaseManual, toManualDto } from './manage-manuals.js';

const isCode = (code: string) => (e: unknown) => e instanceof ManuelError && e.code === code;

async function world() {
  const w = fakeWorld();
  const add = async (ownerId: string, seed: string, data = samplePdf(seed)) => {
    const r = await submitManual(w, { ownerId, fileName: `${seed}.pdf`, data, source: ownerId === SHARED_OWNER ? 'bootstrap' : 'upload' });
    await ingestManual(w, r.job, () => {});
    return r.manual;
  };
  return { w, add };
}

describe('manage manuals', () => {
  it('lists and gets only own and shared manuals', async () => {
    const { w, add } = await world();
    const a = await add('alice', 'a');
    const b = await add('bob', 'b');
    const s = await add(SHARED_OWNER, 's');
    assert.deepEqual((await listManuals(w, { userId: 'alice' })).map((m) => m.id).sort(), [a.id, s.id].sort());
    assert.deepEqual((await listManuals(w, { userId: 'bob' })).map((m) => m.id).sort(), [b.id, s.id].sort());
    assert.equal((await getManual(w, { userId: 'alice', manualId: s.id })).id, s.id);
    await assert.rejects(getManual(w, { userId: 'alice', manualId: b.id }), isCode('not_found'));
    await assert.rejects(getManual(w, { userId: 'alice', manualId: 'nope' }), isCode('not_found'));
    const { job } = await getManualWithJob(w, { userId: 'alice', manualId: a.id });
    assert.equal(job?.manualId, a.id);
  });

  it('streams the PDF to its owner only', async () => {
    const { w, add } = await world();
    const data = samplePdf('a');
    const a = await add('alice', 'a', data);
    const f = await readManualFile(w, { userId: 'alice', manualId: a.id });
    const parts: Buffer[] = [];
    for await (const c of f.stream) parts.push(c as Buffer);
    assert.deepEqual(Buffer.concat(parts), data);
    assert.equal(f.size, data.length);
    assert.equal(f.fileName, 'a.pdf');
    await assert.rejects(readManualFile(w, { userId: 'bob', manualId: a.id }), isCode('not_found'));
  });

  it('deletes with a cleanup summary; another user cannot, and the shared library needs an admin', async () => {
    const { w, add } = await world();
    const a = await add('alice', 'a');
    const s = await add(SHARED_OWNER, 's');
    await assert.rejects(deleteManual(w, { userId: 'bob', manualId: a.id }), isCode('not_found'));
    await assert.rejects(deleteManual(w, { userId: 'alice', manualId: s.id }), isCode('forbidden'));
    const chunks = (await getManual(w, { userId: 'alice', manualId: a.id })).chunks;
    const summary = await deleteManual(w, { userId: 'alice', manualId: a.id });
    assert.deepEqual(summary, { chunks_deleted: chunks, vectors_deleted: chunks, jobs_deleted: 1, file_deleted: true });
    assert.equal(await w.blobs.exists(a.blobKey), false);
    assert.equal([...w.kb.chunks.values()].some((c) => c.chunk.manualId === a.id), false);
    await assert.rejects(getManual(w, { userId: 'alice', manualId: a.id }), isCode('not_found'));
    const admin = await deleteManual(w, { userId: 'root', isAdmin: true, manualId: s.id });
    assert.equal(admin.file_deleted, true);
  });

  it('keeps the PDF while another user still has a manual on the same bytes', async () => {
    const { w, add } = await world();
    const data = samplePdf('same');
    const a = await add('alice', 'x', data);
    const b = await add('bob', 'y', data);
    assert.equal(a.blobKey, b.blobKey);
    const summary = await deleteManual(w, { userId: 'alice', manualId: a.id });
    assert.equal(summary.file_deleted, false);
    assert.equal(await w.blobs.exists(b.blobKey), true);
    assert.equal((await getManual(w, { userId: 'bob', manualId: b.id })).chunks > 0, true);
    assert.ok([...w.kb.chunks.values()].some((c) => c.chunk.manualId === b.id), "bob's index is intact");
  });

  it('shapes a manual for the API', async () => {
    const { add } = await world();
    const a = await add('alice', 'a');
    const dto = toManualDto(a);
    assert.deepEqual(Object.keys(dto).sort(), ['chunks', 'embedded_chunks', 'error', 'file_name', 'id', 'name', 'pages', 'quarantine_reason', 'quarantined', 'shared', 'size', 'source', 'status', 'upload_date'].sort());
    assert.equal(dto.upload_date, a.uploadDate);
    assert.equal(dto.shared, false);
  });

  it('withholds the file of a quarantined manual until an admin releases it; only admins list and release', async () => {
    const { w, add } = await world();
    const flagged = await add('alice', 'js', fakePdf(['Reset the router by holding the button'], { keywords: { JavaScript: 2 } }));
    const clean = await add('bob', 'b');
    const dto = toManualDto((await getManual(w, { userId: 'alice', manualId: flagged.id }))!);
    assert.equal(dto.quarantined, true);
    assert.match(dto.quarantine_reason!, /JavaScript/);
    assert.equal(toManualDto(clean).quarantined, false);
    await assert.rejects(readManualFile(w, { userId: 'alice', manualId: flagged.id }), isCode('quarantined'));

    await assert.rejects(listQuarantinedManuals(w, { userId: 'alice' }), isCode('forbidden'));
    await assert.rejects(releaseManual(w, { userId: 'alice', manualId: flagged.id }), isCode('forbidden'));
    assert.deepEqual((await listQuarantinedManuals(w, { userId: 'root', isAdmin: true })).map((m) => m.id), [flagged.id]);
    await assert.rejects(releaseManual(w, { userId: 'root', isAdmin: true, manualId: clean.id }), isCode('not_found'));

    const released = await releaseManual(w, { userId: 'root', isAdmin: true, manualId: flagged.id });
    assert.equal(toManualDto(released).quarantined, false);
    assert.match(toManualDto(released).quarantine_reason!, /JavaScript/, 'the reason stays on record');
    assert.ok((await readManualFile(w, { userId: 'alice', manualId: flagged.id })).stream);
    assert.deepEqual(await listQuarantinedManuals(w, { userId: 'root', isAdmin: true }), []);
  });
});
