import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManuelError } from '../../src/core/errors.js';
import { submitManual } from '../../src/core/ingest/submit-manual.js';
import { deleteManual, listManuals } from '../../src/core/manuals/manage-manuals.js';
import { SHARED_OWNER } from '../../src/core/model/types.js';
import { corruptPdf, scannedPdf } from '../helpers/api-pdfs.js';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { embeddedApp } from './embedded-app.js';

/** Real SQLite file, real PDF reader, chunker and FTS5 index, through the real worker. */
describe('ingestion pipeline (real SQLite + real PDFs)', () => {
  let env: Awaited<ReturnType<typeof embeddedApp>>;
  let openni: Buffer;
  before(async () => {
    openni = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));
    env = await embeddedApp();
  });
  after(() => env.cleanup());

  const submit = (ownerId: string, data: Buffer, fileName = 'openni-user-guide.pdf') => submitManual(env.app, { ownerId, fileName, data, source: 'upload' });

  it('takes a real manual from upload to completed, searchable only by its owner', async () => {
    const t = Date.now();
    const { manual, job } = await submit('alice', openni);
    const done = await env.waitForJob(job.id, 'alice');
    const ms = Date.now() - t;
    assert.equal(done.status, 'completed', JSON.stringify(done.failureReasons));
    const m = (await env.app.manuals.get(manual.id, ['alice']))!;
    assert.equal(m.status, 'completed');
    assert.equal(m.pages, 44);
    assert.ok(m.chunks > 44, `chunks ${m.chunks}`);
    assert.equal(m.embeddedChunks, m.chunks);
    assert.equal(done.statistics.pages, 44);
    assert.equal(done.statistics.embedded_chunks, m.chunks);
    for (const k of ['extract_ms', 'index_ms', 'embed_ms']) assert.equal(typeof done.statistics[k], 'number', k);
    assert.ok(existsSync(join(env.dataDir, 'blobs', m.blobKey)), 'PDF stored under the data dir by hash');
    const hits = await env.app.kb.search({ text: 'OpenNI', owners: ['alice', SHARED_OWNER], limit: 5 });
    assert.ok(hits.length > 0 && hits.every((h) => h.chunk.manualId === manual.id));
    assert.deepEqual(await env.app.kb.search({ text: 'OpenNI', owners: ['bob', SHARED_OWNER], limit: 5 }), []);
    console.log(`# openni (44 pages, ${m.chunks} chunks) ingested in ${ms} ms with a fake embedder`);
  });

  it('a duplicate upload by the same user returns the same manual and job, no second row', async () => {
    const first = (await listManuals(env.app, { userId: 'alice' })).find((m) => m.name === 'openni-user-guide.pdf')!;
    const again = await submit('alice', openni, 'copy.pdf');
    assert.equal(again.duplicate, true);
    assert.equal(again.manual.id, first.id);
    assert.equal((await listManuals(env.app, { userId: 'alice' })).filter((m) => m.contentHash === first.contentHash).length, 1);
  });

  it('refuses a non-PDF before storing anything', async () => {
    await assert.rejects(submit('alice', Buffer.from('PK\u0003\u0004 a zip file'), 'manual.pdf'), (e: unknown) => e instanceof ManuelError && e.code === 'not_a_pdf');
  });

  it('a corrupt PDF fails with invalid_pdf and leaves nothing indexed', async () => {
    for (const data of [corruptPdf(), openni.subarray(0, Math.floor(openni.length / 3))]) {
      const { manual, job } = await submit('carol', data, 'broken.pdf');
      const done = await env.waitForJob(job.id, 'carol');
      assert.equal(done.status, 'failed');
      assert.match(done.failureReasons[0]!, /^invalid_pdf/);
      const m = await env.app.manuals.get(manual.id, ['carol']);
      assert.equal(m?.status, 'failed');
      assert.equal(m?.error, 'invalid_pdf');
      assert.equal(m?.chunks, 0);
      const n = env.app.db.prepare('SELECT COUNT(*) AS n FROM kb_chunks WHERE manual_id = ?').get(manual.id) as { n: number };
      assert.equal(n.n, 0);
    }
  });

  it('a PDF without text (a scan) fails with no_text', async () => {
    const { job } = await submit('carol', scannedPdf(), 'scan.pdf');
    const done = await env.waitForJob(job.id, 'carol');
    assert.equal(done.status, 'failed');
    assert.match(done.failureReasons[0]!, /^no_text/);
  });

  it('delete removes the file, chunks, vectors and jobs and reports it', async () => {
    const { manual, job } = await submit('dave', openni);
    await env.waitForJob(job.id, 'dave');
    const m = (await env.app.manuals.get(manual.id, ['dave']))!;
    // alice still has the same bytes: the shared blob must stay.
    const summary = await deleteManual(env.app, { userId: 'dave', manualId: manual.id });
    assert.deepEqual(summary, { chunks_deleted: m.chunks, vectors_deleted: m.chunks, jobs_deleted: 1, file_deleted: false });
    assert.ok(existsSync(join(env.dataDir, 'blobs', m.blobKey)));
    const alice = (await listManuals(env.app, { userId: 'alice' })).find((x) => x.contentHash === m.contentHash)!;
    const last = await deleteManual(env.app, { userId: 'alice', manualId: alice.id });
    assert.equal(last.file_deleted, true);
    assert.equal(existsSync(join(env.dataDir, 'blobs', m.blobKey)), false);
    assert.deepEqual(await env.app.kb.search({ text: 'OpenNI', owners: ['alice', 'dave'], limit: 5 }), []);
  });
});
