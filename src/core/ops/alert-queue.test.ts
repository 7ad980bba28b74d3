import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, MemoryLogger } from '../../../test/helpers/fakes.js';
import type { AlertEvent } from '../ports/notifier.js';
import { AlertQueue, type AlertQueueOptions } from './alert-queue.js';

interface Sent {
  kind: AlertEvent['kind'];
  fingerprint: string;
  suppressed: number;
  dropped_count: number;
}

const event = (fingerprint: string): AlertEvent => ({ kind: 'error', severity: 'high', fingerprint, title: `fault ${fingerprint}` });

/** A queue whose transport records what it was given; `gate` holds every delivery until it is opened. */
function queue(o: Partial<AlertQueueOptions<Sent>> & { fail?: (a: Sent) => boolean } = {}) {
  const logger = new MemoryLogger();
  const clock = new ManualClock();
  const delivered: Sent[] = [];
  let open: () => void = () => undefined;
  let gate: Promise<void> | null = null;
  const q = new AlertQueue<Sent>({
    logger,
    clock,
    build: (e, suppressed) => ({ kind: e.kind, fingerprint: e.fingerprint, suppressed, dropped_count: 0 }),
    deliver: async (a) => {
      if (gate) await gate;
      if (o.fail?.(a)) throw new Error(`transport refused ${a.fingerprint}`);
      delivered.push(a);
    },
    messages: { failed: 'alert not sent (test)', flushTimeout: 'alerts still waiting (test)' },
    ...o,
  });
  const hold = () => (gate = new Promise<void>((r) => (open = r)));
  const release = () => (open(), (gate = null));
  return { q, logger, clock, delivered, hold, release };
}

describe('AlertQueue', () => {
  it('delivers one alert per fingerprint per window; the next one carries the suppressed count', async () => {
    const { q, clock, delivered } = queue();
    for (let i = 0; i < 4; i++) q.notify(event('a'));
    q.notify(event('b'));
    await q.flush();
    assert.deepEqual(delivered.map((d) => [d.fingerprint, d.suppressed]), [['a', 0], ['b', 0]]);
    clock.advance(15 * 60_000);
    q.notify(event('a'));
    await q.flush();
    assert.deepEqual(delivered.at(-1), { kind: 'error', fingerprint: 'a', suppressed: 3, dropped_count: 0 });
    assert.deepEqual(q.stats, { queued: 3, sent: 3, failed: 0, dropped: 0, suppressed: 3 });
  });

  it('delivers one at a time, in order, without notify() waiting', async () => {
    const { q, delivered, hold, release } = queue();
    hold();
    for (const f of ['a', 'b', 'c']) q.notify(event(f));
    assert.equal(delivered.length, 0, 'notify() only queued');
    release();
    await q.flush();
    assert.deepEqual(delivered.map((d) => d.fingerprint), ['a', 'b', 'c']);
  });

  it('is bounded: past maxQueue the oldest waiting alert is dropped, counted, and the count rides on the next delivery', async () => {
    const { q, logger, delivered, hold, release } = queue({ maxQueue: 2 });
    hold();
    for (const f of ['a', 'b', 'c', 'd', 'e']) q.notify(event(f));
    // 'a' is in flight, 'd' and 'e' wait: 'b' and 'c' were dropped.
    assert.equal(q.stats.dropped, 2);
    assert.equal(logger.lines.filter((l) => l.msg === 'alert queue full: oldest alert dropped').length, 2);
    release();
    await q.flush();
    assert.deepEqual(delivered.map((d) => [d.fingerprint, d.dropped_count]), [['a', 0], ['d', 2], ['e', 0]]);
  });

  it('a failed delivery is counted and logged, and the drop count waits for the next delivery that succeeds', async () => {
    const { q, logger, delivered, hold, release } = queue({ maxQueue: 1, fail: (a) => a.fingerprint === 'c' });
    hold();
    for (const f of ['a', 'b', 'c']) q.notify(event(f));
    release();
    await q.flush();
    q.notify(event('d'));
    await q.flush();
    assert.deepEqual(delivered.map((d) => [d.fingerprint, d.dropped_count]), [['a', 0], ['d', 1]]);
    assert.deepEqual(q.stats, { queued: 4, sent: 2, failed: 1, dropped: 1, suppressed: 0 });
    assert.ok(logger.lines.some((l) => l.msg === 'alert not sent (test)' && (l.obj as { fingerprint?: string }).fingerprint === 'c'));
  });

  it('flush() gives up at its deadline when a delivery hangs', async () => {
    const { q, logger, hold } = queue({ flushTimeoutMs: 50 });
    hold();
    q.notify(event('a'));
    q.notify(event('b'));
    await q.flush();
    const line = logger.lines.find((l) => l.msg === 'alerts still waiting (test)');
    assert.deepEqual(line?.obj, { pending: 2 });
  });

  it('a transport that throws while building an alert does not escape notify()', () => {
    const { q, logger } = queue({
      build: () => {
        throw new Error('cannot build');
      },
    });
    assert.doesNotThrow(() => q.notify(event('a')));
    assert.ok(logger.lines.some((l) => l.msg === 'alert not queued'));
  });
});
