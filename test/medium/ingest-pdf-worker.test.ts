import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkerPdfReader } from '../../src/adapters/embedded/worker-pdf-reader.js';
import { submitManual } from '../../src/core/ingest/submit-manual.js';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { embeddedApp } from './embedded-app.js';

/** Issue 11 part 7: PDF text is read in a worker with a heap cap; a PDF over it fails alone. */
describe('ingestion reads PDF text in a capped worker (real SQLite, real PDFs)', () => {
  let starved: Awaited<ReturnType<typeof embeddedApp>>;
  let normal: Awaited<ReturnType<typeof embeddedApp>>;
  const pdf = (name: string) => readFileSync(join(evalManualsDir(), name));
  before(async () => {
    // 4 MB of heap cannot hold pdf.js and a real manual: its worker dies of OOM, not the process.
    starved = await embeddedApp({ pdfReader: new WorkerPdfReader({ memoryMb: 4 }) });
    normal = await embeddedApp();
  });
  after(async () => {
    await starved?.cleanup();
    await normal?.cleanup();
  });

  it('the largest eval manual (303 pages, 24 MB) is read in the default worker and indexed', async () => {
    const { manual, job } = await submitManual(normal.app, { ownerId: 'alice', fileName: 'freedombox-manual.pdf', data: pdf('freedombox-manual.pdf'), source: 'upload' });
    const done = await normal.waitForJob(job.id, 'alice', 120_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.failureReasons));
    assert.equal(done.statistics.pages, 303);
    assert.ok((await normal.app.kb.search({ text: 'FreedomBox', owners: ['alice'], limit: 3 })).every((h) => h.chunk.manualId === manual.id));
  });

  it('a PDF over the reader cap fails its job with pdf_bomb (extraction_memory), indexes nothing, and the app goes on', async () => {
    const { manual, job } = await submitManual(starved.app, { ownerId: 'bob', fileName: 'openni.pdf', data: pdf('openni-user-guide.pdf'), source: 'upload' });
    const done = await starved.waitForJob(job.id, 'bob', 60_000);
    assert.equal(done.status, 'failed');
    assert.match(done.failureReasons[0]!, /^pdf_bomb.*text needed more than 4 MB/);
    assert.equal((await starved.app.manuals.get(manual.id, ['bob']))?.error, 'pdf_bomb');
    const n = starved.app.db.prepare('SELECT COUNT(*) AS n FROM kb_chunks WHERE manual_id = ?').get(manual.id) as { n: number };
    assert.equal(n.n, 0);
    // The same process still takes work: a second upload is stored and queued.
    const again = await submitManual(starved.app, { ownerId: 'bob', fileName: 'gpredict.pdf', data: pdf('gpredict-user-manual.pdf'), source: 'upload' });
    assert.equal((await starved.waitForJob(again.job.id, 'bob', 60_000)).status, 'failed');
  });
});
