import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManuelError } from '../../src/core/errors.js';
import { SHARED_OWNER, type Job } from '../../src/core/model/types.js';
import type { JobQueue } from '../../src/core/ports/job-queue.js';
import { ManualClock } from '../helpers/fakes.js';

export const sampleJob = (id: string, over: Partial<Job> = {}): Job => ({
  id,
  kind: 'ingest',
  manualId: `manual-${id}`,
  ownerId: 'alice',
  status: 'queued',
  stage: 'queued',
  attempts: 0,
  createdAt: '2025-03-10T12:00:00.000Z',
  updatedAt: '2025-03-10T12:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  statistics: {},
  failureReasons: [],
  ...over,
});

export function jobQueueContract(name: string, make: (clock: ManualClock) => { queue: JobQueue; cleanup?: () => void }): void {
  describe(`JobQueue contract: ${name}`, () => {
    let queue: JobQueue;
    let clock: ManualClock;
    let cleanup: (() => void) | undefined;
    beforeEach(() => {
      clock = new ManualClock();
      ({ queue, cleanup } = make(clock));
    });
    afterEach(() => cleanup?.());

    it('get is filtered by visibleOwners', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.enqueue(sampleJob('j2', { ownerId: SHARED_OWNER }));
      assert.equal((await queue.get('j1', ['alice', SHARED_OWNER]))?.status, 'queued');
      assert.equal(await queue.get('j1', ['bob', SHARED_OWNER]), null);
      assert.equal((await queue.get('j2', ['bob', SHARED_OWNER]))?.id, 'j2');
      assert.equal(await queue.get('j1', []), null);
    });

    it('claims the oldest job first, once, counting the attempt', async () => {
      await queue.enqueue(sampleJob('late', { createdAt: '2025-03-10T12:00:01.000Z' }));
      await queue.enqueue(sampleJob('early'));
      const a = await queue.claim('w1', 10_000);
      assert.equal(a?.id, 'early');
      assert.equal(a?.status, 'processing');
      assert.equal(a?.attempts, 1);
      assert.equal(a?.startedAt, clock.now().toISOString());
      assert.equal((await queue.claim('w2', 10_000))?.id, 'late');
      assert.equal(await queue.claim('w3', 10_000), null);
    });

    it('parallel claims never hand out the same job twice', async () => {
      for (let i = 0; i < 20; i++) await queue.enqueue(sampleJob(`j${String(i).padStart(2, '0')}`));
      const got = await Promise.all(Array.from({ length: 30 }, (_, i) => queue.claim(`w${i}`, 10_000)));
      const ids = got.filter((j): j is Job => j !== null).map((j) => j.id);
      assert.equal(ids.length, 20);
      assert.equal(new Set(ids).size, 20);
    });

    it('an expired lease makes the job claimable again; the old holder loses its heartbeat', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.claim('dead-worker', 1000);
      clock.advance(999);
      assert.equal(await queue.claim('w2', 1000), null, 'still leased');
      clock.advance(2);
      const again = await queue.claim('w2', 1000);
      assert.equal(again?.id, 'j1');
      assert.equal(again?.attempts, 2);
      await assert.rejects(queue.heartbeat('j1', 'dead-worker', 1000), (e: unknown) => e instanceof ManuelError && e.code === 'conflict');
      await queue.heartbeat('j1', 'w2', 1000);
    });

    it('heartbeat extends the lease and records stage and statistics', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.claim('w1', 1000);
      clock.advance(800);
      await queue.heartbeat('j1', 'w1', 1000, { stage: 'embedding', statistics: { chunks: 10, embedded_chunks: 4 } });
      const beatAt = clock.now().toISOString();
      clock.advance(800);
      assert.equal(await queue.claim('w2', 1000), null, 'lease was extended');
      const j = await queue.get('j1', ['alice']);
      assert.equal(j?.stage, 'embedding');
      assert.deepEqual(j?.statistics, { chunks: 10, embedded_chunks: 4 });
      assert.equal(j?.updatedAt, beatAt);
    });

    it('complete and fail are final: never claimed again', async () => {
      await queue.enqueue(sampleJob('ok'));
      await queue.enqueue(sampleJob('bad', { createdAt: '2025-03-10T12:00:01.000Z' }));
      await queue.claim('w1', 1000);
      await queue.claim('w1', 1000);
      await queue.complete('ok', { pages: 3, chunks: 9 });
      await queue.fail('bad', ['invalid_pdf: damaged']);
      const doneAt = clock.now().toISOString();
      clock.advance(60_000);
      assert.equal(await queue.claim('w2', 1000), null);
      const ok = await queue.get('ok', ['alice']);
      assert.equal(ok?.status, 'completed');
      assert.deepEqual(ok?.statistics, { pages: 3, chunks: 9 });
      assert.equal(ok?.finishedAt, doneAt);
      const bad = await queue.get('bad', ['alice']);
      assert.equal(bad?.status, 'failed');
      assert.deepEqual(bad?.failureReasons, ['invalid_pdf: damaged']);
    });

    it('release puts the job back after a delay, refunding the attempt on request', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.claim('w1', 10_000);
      await queue.release('j1', 'w1', { delayMs: 5000 });
      assert.equal((await queue.get('j1', ['alice']))?.status, 'queued');
      assert.equal(await queue.claim('w2', 10_000), null, 'not before the delay');
      clock.advance(5000);
      const j = await queue.claim('w2', 10_000);
      assert.equal(j?.attempts, 2);
      await queue.release('j1', 'w2', { refundAttempt: true });
      assert.equal((await queue.claim('w3', 10_000))?.attempts, 2);
    });

    it('a failed attempt released records when the run first failed; a drain does not', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.claim('w1', 10_000);
      await queue.release('j1', 'w1', { refundAttempt: true });
      assert.equal((await queue.get('j1', ['alice']))?.firstFailedAt ?? null, null);
      await queue.claim('w1', 10_000);
      const firstFailure = clock.now().toISOString();
      await queue.release('j1', 'w1', { failed: true });
      clock.advance(1000);
      await queue.claim('w1', 10_000);
      await queue.release('j1', 'w1', { failed: true });
      assert.equal((await queue.get('j1', ['alice']))?.firstFailedAt, firstFailure, 'the first failure is kept');
    });

    it('requeue runs a failed job again from scratch, and only a failed one', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.enqueue(sampleJob('busy', { createdAt: '2025-03-10T12:00:01.000Z' }));
      await queue.claim('w1', 10_000);
      await queue.release('j1', 'w1', { failed: true });
      await queue.claim('w1', 10_000);
      await queue.claim('w1', 10_000);
      assert.equal(await queue.requeue('j1'), null, 'processing: not requeued');
      await queue.fail('j1', ['pdf_timeout: no progress']);
      clock.advance(1000);
      const again = await queue.requeue('j1');
      assert.equal(again?.status, 'queued');
      assert.equal(again?.attempts, 0);
      assert.deepEqual(again?.failureReasons, []);
      assert.equal(again?.finishedAt, null);
      assert.equal(again?.firstFailedAt ?? null, null);
      assert.equal(await queue.requeue('j1'), null, 'queued already: not requeued twice');
      assert.equal(await queue.requeue('busy'), null);
      assert.equal(await queue.requeue('nope'), null);
      const claimed = await queue.claim('w2', 10_000);
      assert.equal(claimed?.id, 'j1', 'runnable at once');
      assert.equal(claimed?.attempts, 1);
    });

    it('release by a worker that lost the lease does nothing', async () => {
      await queue.enqueue(sampleJob('j1'));
      await queue.claim('w1', 1000);
      clock.advance(1001);
      await queue.claim('w2', 1000);
      await queue.release('j1', 'w1');
      assert.equal((await queue.get('j1', ['alice']))?.status, 'processing');
    });

    it('lists jobs of a manual newest first and deletes them', async () => {
      await queue.enqueue(sampleJob('a', { manualId: 'm' }));
      await queue.enqueue(sampleJob('b', { manualId: 'm', createdAt: '2025-03-10T12:00:05.000Z' }));
      await queue.enqueue(sampleJob('c', { manualId: 'other' }));
      assert.deepEqual((await queue.forManual('m')).map((j) => j.id), ['b', 'a']);
      assert.equal(await queue.deleteForManual('m'), 2);
      assert.deepEqual(await queue.forManual('m'), []);
      assert.equal((await queue.forManual('other')).length, 1);
    });
  });
}
