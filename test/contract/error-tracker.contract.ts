import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ErrorOccurrence, ErrorTracker } from '../../src/core/ports/error-tracker.js';

export interface ErrorTrackerFixture {
  tracker: ErrorTracker;
  /** Makes the store fail from now on (closed database, dropped table, ...). */
  breakStore: () => void;
  cleanup?: () => void | Promise<void>;
}

const at = (minute: number) => new Date(Date.UTC(2025, 2, 10, 10, minute));
const boom = (o: Partial<ErrorOccurrence> = {}): ErrorOccurrence => ({
  errorType: 'internal_error',
  message: 'TypeError: Cannot read properties of undefined (reading "pages")',
  where: 'GET /api/manuals/:id',
  status: 500,
  requestId: 'req-1',
  at: at(0),
  ...o,
});

export function errorTrackerContract(name: string, make: () => ErrorTrackerFixture | Promise<ErrorTrackerFixture>): void {
  describe(`ErrorTracker contract: ${name}`, () => {
    let f: ErrorTrackerFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => f.cleanup?.());

    it('records a first occurrence with its severity, count 1, first = last seen and the request id', async () => {
      const r = await f.tracker.record(boom());
      assert.ok(r);
      assert.equal(r.error_type, 'internal_error');
      assert.equal(r.where, 'GET /api/manuals/:id');
      assert.equal(r.severity, 'critical');
      assert.equal(r.count, 1);
      assert.equal(r.first_seen, at(0).toISOString());
      assert.equal(r.last_seen, at(0).toISOString());
      assert.equal(r.sample_request_id, 'req-1');
      assert.match(r.fingerprint, /^[0-9a-f]{8,}$/);
    });

    it('groups occurrences that differ only in ids, numbers, quoted values and paths; count, first/last seen and latest request id', async () => {
      const a = await f.tracker.record(
        boom({ message: 'ENOENT: no such file /srv/data/blobs/manuals/3f9a.pdf for manual 1b4e28ba-2fa1-11d2-883f-0016d3cca427 after 3 tries (key "a b")', requestId: 'r1', at: at(1) }),
      );
      const b = await f.tracker.record(
        boom({ message: 'ENOENT: no such file /tmp/x/y.pdf for manual 7c9e6679-7425-40de-944b-e07fc1f90ae7 after 12 tries (key "other")', requestId: 'r2', at: at(5) }),
      );
      const c = await f.tracker.record(boom({ message: 'ENOENT: no such file C:\\data\\m.pdf for manual 00000000-0000-4000-8000-000000000000 after 1 tries (key \'z\')', requestId: 'r3', at: at(3) }));
      assert.ok(a && b && c);
      assert.equal(b.fingerprint, a.fingerprint);
      assert.equal(c.fingerprint, a.fingerprint);
      assert.equal(c.count, 3);
      assert.equal(c.first_seen, at(1).toISOString());
      assert.equal(c.last_seen, at(5).toISOString(), 'an older occurrence arriving late does not move last_seen back');
      assert.equal(c.sample_request_id, 'r2', 'the sample is the newest occurrence');
      assert.doesNotMatch(c.message, /srv|1b4e28ba|"a b"/, 'the stored message is the normalised one');
      assert.equal((await f.tracker.list()).length, 1);
    });

    it('keeps apart different error types, routes and messages', async () => {
      const base = await f.tracker.record(boom());
      const otherRoute = await f.tracker.record(boom({ where: 'POST /api/query' }));
      const otherType = await f.tracker.record(boom({ errorType: 'upstream_error', status: 502 }));
      const otherMessage = await f.tracker.record(boom({ message: 'RangeError: Maximum call stack size exceeded' }));
      const prints = new Set([base, otherRoute, otherType, otherMessage].map((r) => r!.fingerprint));
      assert.equal(prints.size, 4);
    });

    it('derives severity: critical for internal and unavailable, high for other 5xx and quota failures, medium otherwise; an explicit one is kept', async () => {
      const sev = async (o: Partial<ErrorOccurrence>) => (await f.tracker.record(boom(o)))!.severity;
      assert.equal(await sev({ errorType: 'unavailable', status: 503, message: 'a' }), 'critical');
      assert.equal(await sev({ errorType: 'upstream_error', status: 502, message: 'b' }), 'high');
      assert.equal(await sev({ errorType: 'quota_exceeded', status: 429, message: 'c' }), 'high');
      assert.equal(await sev({ errorType: 'invalid_pdf', status: undefined, where: 'job:ingest', message: 'd' }), 'medium');
      assert.equal(await sev({ errorType: 'invalid_pdf', where: 'job:ingest', message: 'e', severity: 'high' }), 'high');
    });

    it('lists newest first, by severity, with a limit and a since', async () => {
      await f.tracker.record(boom({ message: 'one', at: at(1) }));
      await f.tracker.record(boom({ message: 'two', errorType: 'upstream_error', status: 502, at: at(3) }));
      await f.tracker.record(boom({ message: 'three', at: at(2) }));
      await f.tracker.record(boom({ message: 'one', at: at(4) })); // 'one' becomes the newest
      assert.deepEqual((await f.tracker.list()).map((r) => r.message), ['one', 'two', 'three']);
      assert.deepEqual((await f.tracker.list({ severity: 'critical' })).map((r) => r.message), ['one', 'three']);
      assert.deepEqual((await f.tracker.list({ severity: 'high' })).map((r) => r.message), ['two']);
      assert.deepEqual((await f.tracker.list({ severity: 'medium' })).map((r) => r.message), []);
      assert.deepEqual((await f.tracker.list({ limit: 2 })).map((r) => r.message), ['one', 'two']);
      assert.deepEqual((await f.tracker.list({ since: at(3) })).map((r) => r.message), ['one', 'two']);
    });

    it('prunes records last seen before a time, and only those', async () => {
      await f.tracker.record(boom({ message: 'old', at: at(1) }));
      await f.tracker.record(boom({ message: 'recent', at: at(1) }));
      await f.tracker.record(boom({ message: 'recent', at: at(9) }));
      assert.equal(await f.tracker.prune(at(5)), 1);
      assert.deepEqual((await f.tracker.list()).map((r) => r.message), ['recent']);
      assert.equal(await f.tracker.prune(at(5)), 0);
    });

    it('never throws when the store fails: record answers null', async () => {
      f.breakStore();
      assert.equal(await f.tracker.record(boom()), null);
    });
  });
}
