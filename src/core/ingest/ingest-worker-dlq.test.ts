import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { tempDb } from '../../../test/contract/sqlite-temp.js';
import { InMemoryJobQueue, MemoryLogger } from '../../../test/helpers/fakes.js';
import { fakeWorld, samplePdf } from '../../../test/helpers/ingest-fixtures.js';
import { RecordingErrorTracker, RecordingNotifier } from '../../../test/helpers/recording-ops.js';
import { SqliteDeadLetterQueue } from '../../adapters/embedded/sqlite-dead-letter-queue.js';
import { fullJitterBackoff } from '../../adapters/resilience/full-jitter-backoff.js';
import { errors } from '../errors.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import { dropDeadLetter, listDeadLetters, retryDeadLetter } from './dead-letters.js';
import { ingestJobHandler, IngestWorker, type JobHandler } from './ingest-worker.js';
import { submitManual } from './submit-manual.js';

/** EnableAdvancedErrorHandling as the wiring sets it up: a DLQ, a notifier, an error tracker, and MaxRetryAttempts with full-jitter backoff. */
function setup(opts: { maxAttempts?: number; base?: number; max?: number } = {}) {
  const w = fakeWorld();
  const db = tempDb();
  cleanups.push(db.cleanup);
  const jobs = new InMemoryJobQueue(w.clock); // the fake clock decides when a released job is runnable again
  const notifier = new RecordingNotifier();
  const tracker = new RecordingErrorTracker();
  const ops: { deadLetters: DeadLetterQueue; notifier: RecordingNotifier; errors: RecordingErrorTracker } = {
    deadLetters: new SqliteDeadLetterQueue(db.db),
    notifier,
    errors: tracker,
  };
  const delays: number[] = [];
  const backoff = fullJitterBackoff(opts.base ?? 100, opts.max ?? 250);
  const worker = new IngestWorker(
    { queue: jobs, handler: ingestJobHandler({ ...w }), logger: w.logger, ops, clock: w.clock },
    {
      maxAttempts: opts.maxAttempts ?? 4,
      retryDelay: (n) => {
        const d = backoff(n);
        delays.push(d);
        return d;
      },
    },
  );
  const world = { ...w, jobs };
  const submit = () => submitManual({ ...world, clock: w.clock }, { ownerId: 'alice', fileName: 'm.pdf', data: samplePdf('a'), source: 'upload' });
  return { w: world, worker, ops, notifier, tracker, delays, submit };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A reader that crashes `times` times (a transient failure: not a coded PDF error), then reads for real. */
function crashingReader(w: ReturnType<typeof fakeWorld>, times: number) {
  const real = w.pdfReader.read.bind(w.pdfReader);
  let calls = 0;
  w.pdfReader.read = async (pdf) => {
    if (++calls <= times) throw new Error(`parser crashed (${calls})`);
    return real(pdf);
  };
  return () => calls;
}

describe('IngestWorker with the dead-letter queue (EnableAdvancedErrorHandling)', () => {
  it('retries a transient failure MaxRetryAttempts times with full-jitter backoff (fake clock), then dead-letters it once', async () => {
    const { w, worker, ops, notifier, tracker, delays, submit } = setup({ maxAttempts: 4, base: 100, max: 250 });
    const reads = crashingReader(w, 100);
    const { job, manual } = await submit();
    const firstFailure = w.clock.now().toISOString();
    for (let attempt = 1; attempt <= 4; attempt++) {
      assert.equal(await worker.runOnce(), true, `attempt ${attempt} runs`);
      if (attempt === 4) break;
      const d = delays[attempt - 1]!;
      assert.ok(d >= 0 && d < Math.min(250, 100 * 2 ** (attempt - 1)), `delay ${d} after failure ${attempt}`);
      if (d > 0) {
        w.clock.advance(d - 1);
        assert.equal(await worker.runOnce(), false, 'not runnable before its backoff is over');
        w.clock.advance(1);
      }
    }
    assert.equal(reads(), 4);
    assert.equal(delays.length, 3, 'no backoff after the last attempt');
    const failed = await w.jobs.get(job.id, ['alice']);
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.attempts, 4);
    assert.deepEqual(failed?.failureReasons, ['internal_error: parser crashed (4)']);
    const m = await w.manuals.get(manual.id, ['alice']);
    assert.equal(m?.status, 'failed');
    assert.equal(m?.error, 'internal_error');

    const letters = await ops.deadLetters.list();
    assert.equal(letters.length, 1);
    const l = letters[0]!;
    assert.deepEqual(
      { jobId: l.jobId, manualId: l.manualId, ownerId: l.ownerId, kind: l.kind, errorType: l.errorType, error: l.error, attempts: l.attempts, retries: l.retries },
      { jobId: job.id, manualId: manual.id, ownerId: 'alice', kind: 'ingest', errorType: 'internal_error', error: 'parser crashed (4)', attempts: 4, retries: 0 },
    );
    assert.equal(l.createdAt, job.createdAt);
    assert.equal(l.firstFailedAt, firstFailure);
    assert.equal(l.deadAt, w.clock.now().toISOString());
    assert.ok(l.deadAt > l.firstFailedAt || delays.every((d) => d === 0));

    assert.equal(notifier.events.length, 1);
    const e = notifier.events[0]!;
    assert.equal(e.kind, 'dlq');
    assert.equal(e.severity, 'high');
    assert.equal(e.fingerprint, 'dlq:job:ingest:internal_error');
    assert.match(e.title, /after 4 attempts/);
    assert.equal(e.fields?.job_id, job.id);
    assert.equal(e.fields?.dead_letter_id, l.id);
    assert.equal(tracker.occurrences.length, 1);
    assert.deepEqual({ ...tracker.occurrences[0], at: undefined }, { errorType: 'internal_error', message: 'parser crashed (4)', where: 'job:ingest', requestId: job.id, at: undefined });
  });

  it('a permanent error goes to the DLQ after one attempt', async () => {
    const { w, worker, ops, notifier } = setup();
    const { job } = await submitManual({ ...w, clock: w.clock }, { ownerId: 'alice', fileName: 'bad.pdf', data: Buffer.from('%PDF-1.7\n{not json'), source: 'upload' });
    await worker.runOnce();
    assert.equal((await w.jobs.get(job.id, ['alice']))?.status, 'failed');
    const [l] = await ops.deadLetters.list();
    assert.equal(l?.errorType, 'invalid_pdf');
    assert.equal(l?.attempts, 1);
    assert.equal(l?.firstFailedAt, l?.deadAt);
    assert.equal(notifier.of('dlq').length, 1);
  });

  it('retry from the DLQ: fresh attempts, the letter stays until the job succeeds, then it goes and the manual is searchable', async () => {
    const { w, worker, ops, notifier, submit } = setup({ maxAttempts: 2, base: 1, max: 1 });
    crashingReader(w, 2);
    const { job, manual } = await submit();
    await worker.runOnce();
    w.clock.advance(1);
    await worker.runOnce();
    const [letter] = await ops.deadLetters.list();
    assert.ok(letter);
    const deps = { jobs: w.jobs, manuals: w.manuals, ops };

    const retried = await retryDeadLetter(deps, letter.id);
    assert.equal(retried.retries, 1);
    assert.equal(retried.manualStatus, 'queued');
    assert.equal((await w.jobs.get(job.id, ['alice']))?.attempts, 0);
    await assert.rejects(retryDeadLetter(deps, letter.id), (e: unknown) => (e as { code?: string }).code === 'conflict', 'not retried twice while it runs');
    assert.equal((await ops.deadLetters.get(letter.id))?.retries, 1, 'the letter stays while the job runs');

    await worker.runOnce();
    assert.equal((await w.jobs.get(job.id, ['alice']))?.status, 'completed');
    assert.equal(await ops.deadLetters.size(), 0, 'gone once the job succeeded');
    assert.equal((await w.manuals.get(manual.id, ['alice']))?.status, 'completed');
    const hits = await w.kb.search({ text: 'router light green', owners: ['alice'], limit: 3 });
    assert.equal(hits[0]?.chunk.manualId, manual.id);
    assert.equal(notifier.of('dlq').length, 1);
  });

  it('a retried job that fails for good again updates its letter (retries counted), never a second one', async () => {
    const { w, worker, ops, notifier, submit } = setup({ maxAttempts: 2, base: 1, max: 1 });
    crashingReader(w, 100);
    const { job } = await submit();
    const runAll = async () => {
      for (let i = 0; i < 2; i++) {
        await worker.runOnce();
        w.clock.advance(1);
      }
    };
    await runAll();
    const [first] = await ops.deadLetters.list();
    const deps = { jobs: w.jobs, manuals: w.manuals, ops };
    await retryDeadLetter(deps, first!.id);
    await runAll();
    const letters = await ops.deadLetters.list();
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.id, first!.id);
    assert.equal(letters[0]!.retries, 1);
    assert.equal(letters[0]!.attempts, 2, 'attempts of the last run');
    assert.equal(letters[0]!.firstFailedAt, first!.firstFailedAt);
    assert.ok(letters[0]!.deadAt > first!.deadAt);
    assert.equal((await w.jobs.get(job.id, ['alice']))?.status, 'failed');
    assert.equal(notifier.of('dlq').length, 2, 'each arrival is announced (the notifier deduplicates by fingerprint)');
  });

  it('drop: the letter goes, the manual stays failed with its reason; unknown ids are not_found', async () => {
    const { w, worker, ops } = setup();
    const { manual } = await submitManual({ ...w, clock: w.clock }, { ownerId: 'alice', fileName: 'bad.pdf', data: Buffer.from('%PDF-1.7\n{not json'), source: 'upload' });
    await worker.runOnce();
    const deps = { jobs: w.jobs, manuals: w.manuals, ops };
    const { letters, size } = await listDeadLetters(deps);
    assert.equal(size, 1);
    assert.equal(letters[0]!.manualName, 'bad.pdf');
    assert.equal(letters[0]!.manualStatus, 'failed');
    const dropped = await dropDeadLetter(deps, letters[0]!.id);
    assert.equal(dropped.id, letters[0]!.id);
    assert.equal(await ops.deadLetters.size(), 0);
    const m = await w.manuals.get(manual.id, ['alice']);
    assert.equal(m?.status, 'failed');
    assert.equal(m?.error, 'invalid_pdf');
    const notFound = (e: unknown) => (e as { code?: string }).code === 'not_found';
    await assert.rejects(dropDeadLetter(deps, letters[0]!.id), notFound);
    await assert.rejects(retryDeadLetter(deps, 'no-such-letter'), notFound);
    await assert.rejects(listDeadLetters({ ...deps, ops: {} }), (e: unknown) => (e as { code?: string }).code === 'unavailable', 'flag off: no DLQ');
  });

  it('a job whose worker kept dying is dead-lettered as attempts_exhausted with the runs it had', async () => {
    const { w, ops } = setup();
    let runs = 0;
    const handler: JobHandler = { run: async () => ((runs++, {})), failed: async () => {}, isPermanent: () => false };
    const { job } = await submitManual({ ...w, clock: w.clock }, { ownerId: 'alice', fileName: 'a.pdf', data: samplePdf(), source: 'upload' });
    for (let i = 0; i < 2; i++) {
      await w.jobs.claim(`doomed-${i}`, 100);
      w.clock.advance(101);
    }
    await new IngestWorker({ queue: w.jobs, handler, logger: new MemoryLogger(), ops, clock: w.clock }, { maxAttempts: 2 }).runOnce();
    assert.equal(runs, 0);
    const [l] = await ops.deadLetters.list();
    assert.equal(l?.jobId, job.id);
    assert.equal(l?.errorType, 'attempts_exhausted');
    assert.equal(l?.attempts, 2);
  });

  it('a DLQ that cannot store still lets the job fail (logged, no alert); no DLQ at all (flag off) fails it as before', async () => {
    const { w, ops, notifier, tracker } = setup();
    const failingAdd: Pick<DeadLetterQueue, 'add'> = { add: async () => Promise.reject(errors.unavailable('disk full')) };
    const broken = { ...ops, deadLetters: Object.assign(Object.create(ops.deadLetters) as DeadLetterQueue, failingAdd) };
    const worker = new IngestWorker({ queue: w.jobs, handler: ingestJobHandler(w), logger: w.logger, ops: broken, clock: w.clock });
    const { job } = await submitManual({ ...w, clock: w.clock }, { ownerId: 'alice', fileName: 'bad.pdf', data: Buffer.from('%PDF-1.7\n{x'), source: 'upload' });
    await worker.runOnce();
    assert.equal((await w.jobs.get(job.id, ['alice']))?.status, 'failed');
    assert.equal(notifier.events.length, 0);
    assert.equal(tracker.occurrences.length, 1, 'still recorded as a failed job');
    assert.ok(w.logger.lines.some((l) => l.level === 'error' && /dead-letter queue/.test(String(l.msg))));

    const off = new IngestWorker({ queue: w.jobs, handler: ingestJobHandler(w), logger: w.logger, clock: w.clock });
    const other = await submitManual({ ...w, clock: w.clock }, { ownerId: 'alice', fileName: 'bad2.pdf', data: Buffer.from('%PDF-1.7\n{y'), source: 'upload' });
    await off.runOnce();
    assert.equal((await w.jobs.get(other.job.id, ['alice']))?.status, 'failed');
    assert.equal(await ops.deadLetters.size(), 0);
  });
});
