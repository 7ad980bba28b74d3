import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SqliteErrorTracker } from '../../adapters/embedded/sqlite-error-tracker.js';
import { tempDb } from '../../../test/contract/sqlite-temp.js';
import { ManualClock, MemoryLogger } from '../../../test/helpers/fakes.js';
import type { ErrorTracker } from '../ports/error-tracker.js';
import type { AlertEvent, Notifier } from '../ports/notifier.js';
import { pruneErrorRecords, trackError } from './track-error.js';

const capture = (): Notifier & { events: AlertEvent[] } => {
  const events: AlertEvent[] = [];
  return { events, notify: (e) => void events.push(e) };
};

it('records every failure and alerts only for high and critical ones', async () => {
  const t = tempDb();
  try {
    const notifier = capture();
    const deps = { errors: new SqliteErrorTracker(t.db), notifier, logger: new MemoryLogger() };
    await trackError(deps, { errorType: 'internal_error', message: 'boom 1', where: 'GET /api/manuals', status: 500, requestId: 'r1' });
    await trackError(deps, { errorType: 'upstream_error', message: 'model said 500', where: 'POST /api/query', status: 502 });
    await trackError(deps, { errorType: 'invalid_pdf', message: 'not a PDF', where: 'job:ingest' });
    assert.equal((await deps.errors.list()).length, 3);
    assert.deepEqual(notifier.events.map((e) => [e.kind, e.severity, e.title]), [
      ['error', 'critical', 'CRITICAL: internal_error in GET /api/manuals'],
      ['error', 'high', 'HIGH: upstream_error in POST /api/query'],
    ]);
    const first = notifier.events[0]!;
    assert.equal(first.text, 'boom <n>');
    assert.equal(first.fields?.request_id, 'r1');
    assert.equal(first.fields?.count, 1);
    assert.equal(first.fingerprint, (await deps.errors.list({ severity: 'critical' }))[0]!.fingerprint);
  } finally {
    t.cleanup();
  }
});

it('a broken store neither throws nor stops the alert, which keeps the same fingerprint', async () => {
  const t = tempDb();
  try {
    const notifier = capture();
    const working = new SqliteErrorTracker(t.db);
    const ok = await trackError({ errors: working, notifier, logger: new MemoryLogger() }, { errorType: 'internal_error', message: 'x 1', where: 'GET /a', status: 500 });
    const broken: ErrorTracker = { record: async () => Promise.reject(new Error('disk gone')), list: async () => [], prune: async () => 0 };
    const logger = new MemoryLogger();
    assert.equal(await trackError({ errors: broken, notifier, logger }, { errorType: 'internal_error', message: 'x 2', where: 'GET /a', status: 500 }), null);
    assert.equal(notifier.events.length, 2);
    assert.equal(notifier.events[1]!.fingerprint, ok!.fingerprint);
    assert.ok(logger.lines.some((l) => l.msg === 'error tracking failed'));
  } finally {
    t.cleanup();
  }
});

it('prunes records older than the retention', async () => {
  const t = tempDb();
  try {
    const clock = new ManualClock();
    const errors = new SqliteErrorTracker(t.db, { clock });
    await errors.record({ errorType: 'internal_error', message: 'old', where: 'GET /a' });
    clock.advance(31 * 86_400_000);
    await errors.record({ errorType: 'internal_error', message: 'new', where: 'GET /a' });
    assert.equal(await pruneErrorRecords({ errors, clock, logger: new MemoryLogger() }, 30), 1);
    assert.deepEqual((await errors.list()).map((r) => r.message), ['new']);
  } finally {
    t.cleanup();
  }
});
