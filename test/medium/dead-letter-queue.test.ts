import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UnpdfPdfReader } from '../../src/adapters/embedded/unpdf-pdf-reader.js';
import { WorkerPdfReader } from '../../src/adapters/embedded/worker-pdf-reader.js';
import { answerQuery } from '../../src/core/ask/answer-query.js';
import { listDeadLetters, retryDeadLetter } from '../../src/core/ingest/dead-letters.js';
import { submitManual } from '../../src/core/ingest/submit-manual.js';
import { deleteManual } from '../../src/core/manuals/manage-manuals.js';
import type { PdfReader } from '../../src/core/ports/pdf-reader.js';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { RecordingErrorTracker, RecordingNotifier } from '../helpers/recording-ops.js';
import { embeddedApp } from './embedded-app.js';

const FULL = { EnableAdvancedErrorHandling: true, MaxRetryAttempts: 3, BaseRetryDelay: 20, MaxRetryDelay: 100 };

/** pdf.js behind a fault: the first `failures` reads crash (a transient failure), the next ones read. */
class FlakyReader implements PdfReader {
  calls = 0;
  constructor(
    private failures: number,
    private readonly real: PdfReader = new UnpdfPdfReader(),
  ) {}
  async read(pdf: Uint8Array) {
    if (++this.calls <= this.failures) throw new Error(`pdf.js crashed (read ${this.calls})`);
    return this.real.read(pdf);
  }
}

/** eval/qa.json on-03: the answer (XN_STATUS_MULTIPLE_NODES_ERROR) is on page 16. */
const QUESTION = 'What global error status does OpenNI report when more than one node is in an error state at the same time?';
const ask = (app: Parameters<typeof answerQuery>[0], question: string) => answerQuery(app, { userId: 'alice', question, includeSources: true, startedAt: performance.now() });

describe('dead-letter queue (real SQLite file, real PDF, real worker)', () => {
  it('a transient failure MaxRetryAttempts times lands in the DLQ; after a restart a retry succeeds, the letter goes and the manual answers', async () => {
    const openni = readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf'));
    const reader = new FlakyReader(3);
    const notifier = new RecordingNotifier();
    const tracker = new RecordingErrorTracker();
    let env = await embeddedApp({ parameters: FULL, pdfReader: reader });
    Object.assign(env.app.ops, { notifier, errors: tracker });
    const dataDir = env.dataDir;
    try {
      const { manual, job } = await submitManual(env.app, { ownerId: 'alice', fileName: 'openni-user-guide.pdf', data: openni, source: 'upload' });
      const failed = await env.waitForJob(job.id, 'alice');
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, 3, 'exactly MaxRetryAttempts attempts');
      assert.equal(reader.calls, 3);
      assert.deepEqual(failed.failureReasons, ['internal_error: pdf.js crashed (read 3)']);
      assert.equal((await env.app.manuals.get(manual.id, ['alice']))?.status, 'failed');
      assert.equal(notifier.of('dlq').length, 1);
      assert.equal(tracker.occurrences.length, 1);
      const before = await ask(env.app, QUESTION);
      assert.ok(!before.sources.some((s) => s.manual_id === manual.id), 'a failed manual answers nothing');

      // The letter is in the database file: it is still there after a restart.
      await env.cleanup(true);
      env = await embeddedApp({ dataDir, parameters: FULL, pdfReader: reader });
      const { letters, size } = await listDeadLetters(env.app);
      assert.equal(size, 1);
      const letter = letters[0]!;
      assert.deepEqual(
        { job: letter.jobId, manual: letter.manualId, type: letter.errorType, attempts: letter.attempts, retries: letter.retries, name: letter.manualName, status: letter.manualStatus },
        { job: job.id, manual: manual.id, type: 'internal_error', attempts: 3, retries: 0, name: 'openni-user-guide.pdf', status: 'failed' },
      );
      assert.ok(letter.firstFailedAt <= letter.deadAt && letter.createdAt <= letter.firstFailedAt);

      const retried = await retryDeadLetter(env.app, letter.id);
      assert.equal(retried.retries, 1);
      const done = await env.waitForJob(job.id, 'alice');
      assert.equal(done.status, 'completed', JSON.stringify(done.failureReasons));
      assert.equal(done.attempts, 1, 'the retry starts from its first attempt');
      assert.equal(await env.app.ops.deadLetters!.size(), 0, 'it left the DLQ');
      const m = await env.app.manuals.get(manual.id, ['alice']);
      assert.equal(m?.status, 'completed');
      assert.equal(m?.pages, 44);
      const after = await ask(env.app, QUESTION);
      assert.ok(after.sources.some((s) => s.manual_id === manual.id && s.page_number === 16), JSON.stringify(after.sources.map((s) => [s.manual_name, s.page_number])));
      assert.equal(notifier.of('dlq').length, 1, 'no new alert for a retry that succeeded');
    } finally {
      await env.cleanup();
    }
  });

  it('deleting the manual of a dead letter removes the letter', async () => {
    const env = await embeddedApp({ parameters: FULL, pdfReader: new FlakyReader(99) });
    try {
      const { manual, job } = await submitManual(env.app, { ownerId: 'alice', fileName: 'x.pdf', data: readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf')), source: 'upload' });
      await env.waitForJob(job.id, 'alice');
      assert.equal(await env.app.ops.deadLetters!.size(), 1);
      await deleteManual(env.app, { userId: 'alice', isAdmin: false, manualId: manual.id });
      assert.equal(await env.app.ops.deadLetters!.size(), 0);
    } finally {
      await env.cleanup();
    }
  });

  it('flag on: a DLQ; flag off: 3 attempts, linear backoff, no DLQ (as before); pdf.js in a worker thread in both', async () => {
    const on = await embeddedApp({ parameters: FULL });
    try {
      assert.ok(on.app.pdfReader instanceof WorkerPdfReader);
      assert.ok(on.app.ops.deadLetters);
    } finally {
      await on.cleanup();
    }
    const reader = new FlakyReader(99);
    const off = await embeddedApp({ pdfReader: reader, worker: { retryDelayMs: 10 } });
    try {
      assert.equal(off.app.ops.deadLetters, undefined);
      const { job } = await submitManual(off.app, { ownerId: 'alice', fileName: 'x.pdf', data: readFileSync(join(evalManualsDir(), 'openni-user-guide.pdf')), source: 'upload' });
      const failed = await off.waitForJob(job.id, 'alice');
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, 3);
      assert.equal(reader.calls, 3);
      const table = off.app.db.prepare("SELECT name FROM sqlite_master WHERE name = 'dead_letters'").get();
      assert.equal(table, undefined, 'the minimal profile does not even create the table');
      assert.ok(existsSync(join(off.dataDir, 'manuel.db')));
    } finally {
      await off.cleanup();
    }
    // The minimal profile reads PDFs in a worker too (a page that never ends must not hang any server).
    const plain = await embeddedApp({});
    try {
      assert.ok(plain.app.pdfReader instanceof WorkerPdfReader);
    } finally {
      await plain.cleanup();
    }
  });
});
