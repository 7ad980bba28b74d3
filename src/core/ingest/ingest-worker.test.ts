import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakePdf, InMemoryJobQueue, MemoryLogger, type FakeEmbedder } from '../../../test/helpers/fakes.js';
import { fakeWorld, samplePdf } from '../../../test/helpers/ingest-fixtures.js';
import type { Job } from '../model/types.js';
import { ingestJobHandler, IngestWorker, type JobHandler } from './ingest-worker.js';
import { submitManual } from './submit-manual.js';

const until = async (cond: () => Promise<boolean> | boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

function setup(opts: ConstructorParameters<typeof IngestWorker>[1] = {}) {
  const w = fakeWorld();
  const worker = new IngestWorker({ queue: w.jobs, handler: ingestJobHandler(w, { embedBatch: 4 }), logger: w.logger }, { pollMs: 20, retryDelayMs: 0, ...opts });
  const submit = (data: Buffer, ownerId = 'alice') => submitManual(w, { ownerId, fileName: 'm.pdf', data, source: 'upload' });
  return { w, worker, submit };
}

describe('IngestWorker', () => {
  it('takes queued jobs to completed and the manual to completed', async () => {
    const { w, worker, submit } = setup();
    const a = await submit(samplePdf('a'));
    const b = await submit(samplePdf('b'), 'bob');
    worker.start();
    await until(async () => (await w.jobs.get(b.job.id, ['bob']))?.status === 'completed');
    await worker.stop();
    const job = await w.jobs.get(a.job.id, ['alice']);
    assert.equal(job?.status, 'completed');
    assert.equal(job?.stage, 'done');
    assert.ok(job!.statistics.chunks! > 0 && job!.statistics.embedded_chunks === job!.statistics.chunks);
    assert.equal((await w.manuals.get(a.manual.id, ['alice']))?.status, 'completed');
  });

  it('wakes at once on notify() instead of waiting for the next poll', async () => {
    const { w, worker, submit } = setup({ pollMs: 60_000 });
    worker.start();
    await new Promise((r) => setTimeout(r, 20));
    const a = await submit(samplePdf());
    const t = Date.now();
    worker.notify();
    await until(async () => (await w.jobs.get(a.job.id, ['alice']))?.status === 'completed', 2000);
    assert.ok(Date.now() - t < 2000);
    await worker.stop();
  });

  it('fails a corrupt PDF at once with its reason, the manual failed and nothing indexed', async () => {
    const { w, worker, submit } = setup();
    const bad = await submit(Buffer.from('%PDF-1.7\n{not json'));
    await worker.runOnce();
    const job = await w.jobs.get(bad.job.id, ['alice']);
    assert.equal(job?.status, 'failed');
    assert.equal(job?.attempts, 1);
    assert.match(job!.failureReasons[0]!, /^invalid_pdf: /);
    const m = await w.manuals.get(bad.manual.id, ['alice']);
    assert.equal(m?.status, 'failed');
    assert.equal(m?.error, 'invalid_pdf');
    assert.equal(w.kb.chunks.size, 0);
  });

  it('retries a transient failure and then completes', async () => {
    const { w, worker, submit } = setup();
    const a = await submit(samplePdf('a', 5));
    (w.embedder as FakeEmbedder).failOnCall = 2;
    await worker.runOnce();
    assert.equal((await w.jobs.get(a.job.id, ['alice']))?.status, 'queued');
    await worker.runOnce();
    const job = await w.jobs.get(a.job.id, ['alice']);
    assert.equal(job?.status, 'completed');
    assert.equal(job?.attempts, 2);
    assert.equal((await w.manuals.get(a.manual.id, ['alice']))?.embeddedChunks, job?.statistics.chunks);
  });

  it('gives up after maxAttempts transient failures and cleans the index', async () => {
    const { w, worker, submit } = setup({ maxAttempts: 2 });
    const a = await submit(samplePdf());
    const emb = w.embedder as FakeEmbedder;
    emb.embed = async () => {
      throw new Error('model file unreadable');
    };
    await worker.runOnce();
    await worker.runOnce();
    const job = await w.jobs.get(a.job.id, ['alice']);
    assert.equal(job?.status, 'failed');
    assert.deepEqual(job?.failureReasons, ['internal_error: model file unreadable']);
    assert.equal((await w.manuals.get(a.manual.id, ['alice']))?.status, 'failed');
    assert.equal(w.kb.chunks.size, 0);
  });

  it('a job whose worker kept dying is failed without running it again', async () => {
    const w = fakeWorld();
    let runs = 0;
    let failedWith = '';
    const handler: JobHandler = {
      run: async () => ((runs++, {})),
      failed: async (_j, reason) => void (failedWith = reason),
      isPermanent: () => false,
    };
    let now = Date.now();
    const queue = new InMemoryJobQueue({ now: () => new Date(now) });
    const { job } = await submitManual({ ...w, jobs: queue }, { ownerId: 'alice', fileName: 'a.pdf', data: samplePdf(), source: 'upload' });
    for (let i = 0; i < 2; i++) {
      await queue.claim(`doomed-${i}`, 100); // claimed, then the process "dies"
      now += 101;
    }
    const worker = new IngestWorker({ queue, handler, logger: new MemoryLogger() }, { maxAttempts: 1 });
    await worker.runOnce();
    assert.equal(runs, 0);
    const j = (await queue.get(job.id, ['alice'])) as Job;
    assert.equal(j.status, 'failed');
    assert.match(j.failureReasons[0]!, /^attempts_exhausted/);
    assert.match(failedWith, /^attempts_exhausted/);
  });

  it('stop() lets the current job finish within the drain time', async () => {
    const { w, worker, submit } = setup();
    (w.embedder as FakeEmbedder).delayMs = 30;
    const a = await submit(samplePdf('a', 4));
    worker.start();
    await until(() => worker.busy);
    await worker.stop(5000);
    assert.equal((await w.jobs.get(a.job.id, ['alice']))?.status, 'completed');
  });

  it('stop() past the drain time releases the job for the next start, refunding the attempt', async () => {
    const { w, worker, submit } = setup();
    (w.embedder as FakeEmbedder).delayMs = 200;
    const a = await submit(samplePdf('a', 6));
    worker.start();
    await until(async () => (await w.jobs.get(a.job.id, ['alice']))?.stage === 'embedding');
    await worker.stop(0);
    const job = await w.jobs.get(a.job.id, ['alice']);
    assert.equal(job?.status, 'queued');
    assert.equal(job?.attempts, 0);
    (w.embedder as FakeEmbedder).delayMs = 0;
    const next = new IngestWorker({ queue: w.jobs, handler: ingestJobHandler(w), logger: w.logger });
    await next.runOnce();
    assert.equal((await w.jobs.get(a.job.id, ['alice']))?.status, 'completed');
  });

  it('a worker whose lease was taken over stops without completing or failing the job', async () => {
    const w = fakeWorld();
    let now = Date.now();
    const queue = new InMemoryJobQueue({ now: () => new Date(now) });
    const { job } = await submitManual({ ...w, jobs: queue }, { ownerId: 'alice', fileName: 'a.pdf', data: fakePdf(['x']), source: 'upload' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let failed = false;
    const handler: JobHandler = {
      run: async (_j, progress) => {
        await gate;
        await progress({ stage: 'embedding', statistics: {} });
        return { pages: 1 };
      },
      failed: async () => void (failed = true),
      isPermanent: () => false,
    };
    const slow = new IngestWorker({ queue, handler, logger: new MemoryLogger() }, { leaseMs: 100, heartbeatMs: 60_000, workerId: 'slow' });
    const running = slow.runOnce();
    await until(() => slow.busy);
    now += 101;
    const other = await queue.claim('other', 10_000);
    assert.equal(other?.id, job.id);
    release();
    await running;
    const j = await queue.get(job.id, ['alice']);
    assert.equal(j?.status, 'processing', 'still owned by the other worker');
    assert.equal(failed, false);
  });
});
