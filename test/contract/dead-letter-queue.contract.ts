import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { DeadLetter, DeadLetterQueue } from '../../src/core/ports/dead-letter-queue.js';

export const sampleLetter = (jobId: string, over: Partial<Omit<DeadLetter, 'id' | 'retries'>> = {}): Omit<DeadLetter, 'id' | 'retries'> => ({
  jobId,
  kind: 'ingest',
  manualId: `manual-${jobId}`,
  ownerId: 'alice',
  errorType: 'pdf_timeout',
  error: 'Reading the PDF made no progress for 30000 ms',
  attempts: 3,
  createdAt: '2025-03-10T12:00:00.000Z',
  firstFailedAt: '2025-03-10T12:00:05.000Z',
  deadAt: '2025-03-10T12:00:20.000Z',
  ...over,
});

/** Sync (SQLite) or async (an emulator's fresh table). */
type MaybePromise<T> = T | Promise<T>;

export function deadLetterQueueContract(name: string, make: () => MaybePromise<{ dlq: DeadLetterQueue; cleanup?: () => void | Promise<void> }>): void {
  describe(`DeadLetterQueue contract: ${name}`, () => {
    let dlq: DeadLetterQueue;
    let cleanup: (() => void | Promise<void>) | undefined;
    beforeEach(async () => ({ dlq, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('keeps a letter with everything it was given, an id and no retries', async () => {
      const added = await dlq.add(sampleLetter('j1'));
      assert.ok(added.id.length > 0);
      assert.deepEqual(added, { ...sampleLetter('j1'), id: added.id, retries: 0 });
      assert.deepEqual(await dlq.get(added.id), added);
      assert.equal(await dlq.size(), 1);
      assert.equal(await dlq.get('nope'), null);
    });

    it('lists newest (deadAt) first, up to a limit; size counts them all', async () => {
      await dlq.add(sampleLetter('old', { deadAt: '2025-03-10T10:00:00.000Z' }));
      await dlq.add(sampleLetter('new', { deadAt: '2025-03-10T14:00:00.000Z' }));
      await dlq.add(sampleLetter('mid', { deadAt: '2025-03-10T12:00:00.000Z' }));
      assert.deepEqual((await dlq.list()).map((l) => l.jobId), ['new', 'mid', 'old']);
      assert.deepEqual((await dlq.list({ limit: 2 })).map((l) => l.jobId), ['new', 'mid']);
      assert.equal(await dlq.size(), 3);
    });

    it('the same job dead-lettered again updates its letter: same id, retries and earliest first failure kept', async () => {
      const first = await dlq.add(sampleLetter('j1'));
      await dlq.markRetried(first.id);
      const again = await dlq.add(
        sampleLetter('j1', { errorType: 'internal_error', error: 'worse', attempts: 2, firstFailedAt: '2025-03-10T13:00:00.000Z', deadAt: '2025-03-10T13:00:09.000Z' }),
      );
      assert.equal(again.id, first.id);
      assert.equal(again.retries, 1);
      assert.equal(again.errorType, 'internal_error');
      assert.equal(again.error, 'worse');
      assert.equal(again.attempts, 2);
      assert.equal(again.firstFailedAt, '2025-03-10T12:00:05.000Z');
      assert.equal(again.deadAt, '2025-03-10T13:00:09.000Z');
      assert.equal(await dlq.size(), 1);
    });

    it('another job of the same manual (a re-upload) takes over the letter instead of adding one', async () => {
      const first = await dlq.add(sampleLetter('j1', { manualId: 'm' }));
      const second = await dlq.add(sampleLetter('j2', { manualId: 'm', createdAt: '2025-03-11T08:00:00.000Z' }));
      assert.equal(second.id, first.id);
      assert.equal(second.jobId, 'j2');
      assert.equal(second.createdAt, '2025-03-11T08:00:00.000Z');
      assert.deepEqual((await dlq.list()).map((l) => l.jobId), ['j2']);
      // Jobs without a manual are never folded together.
      await dlq.add(sampleLetter('x1', { manualId: null }));
      await dlq.add(sampleLetter('x2', { manualId: null }));
      assert.equal(await dlq.size(), 3);
    });

    it('markRetried counts retries; on an unknown id it changes nothing', async () => {
      const l = await dlq.add(sampleLetter('j1'));
      await dlq.markRetried(l.id);
      await dlq.markRetried(l.id);
      await dlq.markRetried('nope');
      assert.equal((await dlq.get(l.id))?.retries, 2);
    });

    it('remove drops one letter, once', async () => {
      const a = await dlq.add(sampleLetter('a'));
      const b = await dlq.add(sampleLetter('b'));
      assert.equal(await dlq.remove(a.id), true);
      assert.equal(await dlq.remove(a.id), false);
      assert.equal(await dlq.get(a.id), null);
      assert.deepEqual((await dlq.list()).map((l) => l.id), [b.id]);
    });

    it('removeFor drops the letters of a job or of a manual, and nothing else', async () => {
      await dlq.add(sampleLetter('a', { manualId: 'ma' }));
      await dlq.add(sampleLetter('b', { manualId: 'mb' }));
      await dlq.add(sampleLetter('c', { manualId: 'mc' }));
      assert.equal(await dlq.removeFor({ jobId: 'a' }), 1);
      assert.equal(await dlq.removeFor({ jobId: 'zz', manualId: 'mb' }), 1, 'by manual, whatever the job');
      assert.equal(await dlq.removeFor({ manualId: 'ma' }), 0);
      assert.equal(await dlq.removeFor({}), 0, 'an empty subject removes nothing');
      assert.deepEqual((await dlq.list()).map((l) => l.jobId), ['c']);
    });

    it('concurrent adds for one job keep one letter', async () => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => dlq.add(sampleLetter('j', { attempts: i + 1 }))));
      assert.equal(await dlq.size(), 1);
    });
  });
}
