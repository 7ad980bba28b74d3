import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { InMemoryApiKeyRepo, InMemoryBlobStore, InMemoryJobQueue, InMemoryManualRepo, InMemoryUsageRepo, InMemoryUserRepo, ManualClock } from '../../../test/helpers/fakes.js';
import { isManuelError } from '../errors.js';
import type { DeadLetter, DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { PeriodTotals, UsageCounters } from '../ports/usage-counters.js';
import { usageEventKey, type ExportedUsageEvent } from './archive-format.js';
import { exportSections } from './export-data.js';
import { importManual, importUsage } from './import-data.js';

/** Adds only (what importUsage uses); `read` answers the sums. */
class SummingCounters implements UsageCounters {
  readonly added: Array<{ userId: string; at: string } & PeriodTotals> = [];
  async add(userId: string, at: Date, d: PeriodTotals) {
    this.added.push({ userId, at: at.toISOString(), ...d });
    return this.read();
  }
  async read() {
    const sum = this.added.reduce((s, a) => ({ count: s.count + a.count, costEur: s.costEur + a.costEur }), { count: 0, costEur: 0 });
    return { day: sum, month: sum };
  }
  async checkAndCount(): Promise<never> {
    throw new Error('not used');
  }
}

const user = (id: string, email: string, passwordHash = 'scrypt$1024$8$1$c2FsdA==$a2V5') => ({ id, email, name: null, passwordHash, isAdmin: false, createdAt: '2025-01-01T00:00:00.000Z' });
const ev = (over: Partial<ExportedUsageEvent> = {}): ExportedUsageEvent => ({ user_email: 'ann@example.com', operation: 'query', at: '2025-03-10T09:00:00.000Z', cost_eur: 0.01, detail: { q: 'x', n: 1 }, ...over });

it('usage: an event is the same event whatever its detail key order or ISO form; twins are counted, so a second import adds nothing', async () => {
  assert.equal(usageEventKey(ev({ detail: { n: 1, q: 'x' } })), usageEventKey(ev({ at: '2025-03-10T10:00:00+01:00' })));
  const users = new InMemoryUserRepo();
  await users.create(user('u1', 'ann@example.com'));
  const usage = new InMemoryUsageRepo();
  const counters = new SummingCounters();
  const deps = { users, usage, counters, clock: new ManualClock() };
  const events = [ev(), ev(), ev({ operation: 'upload', cost_eur: 0, detail: null }), ev({ at: '2025-02-01T00:00:00.000Z' }), ev({ user_email: 'gone@example.com' })];
  assert.deepEqual(await importUsage(deps, events), { recorded: 4, skipped: 0, unknown_users: ['gone@example.com'] });
  assert.deepEqual(await importUsage(deps, events), { recorded: 0, skipped: 4, unknown_users: ['gone@example.com'] });
  assert.equal(usage.events.length, 4);
  // Quota counters: the two queries of this month (the clock's March), not the upload, not February's.
  assert.deepEqual(counters.added.map((a) => [a.at, a.count]), [['2025-03-10T09:00:00.000Z', 1], ['2025-03-10T09:00:00.000Z', 1]]);
  // A third, genuinely new twin is added.
  assert.deepEqual(await importUsage(deps, [ev(), ev(), ev()]), { recorded: 1, skipped: 2, unknown_users: [] });
});

it('manuals: bytes must match the recorded hash, the owner must exist, and the same owner + bytes is one manual', async () => {
  const users = new InMemoryUserRepo();
  await users.create(user('u1', 'ann@example.com'));
  const deps = { users, manuals: new InMemoryManualRepo(), jobs: new InMemoryJobQueue(), blobs: new InMemoryBlobStore(), clock: new ManualClock() };
  const pdf = Buffer.from('%PDF-1.4\n% a manual\n');
  const hash = createHash('sha256').update(pdf).digest('hex');
  const rec = { owner_email: 'ANN@example.com', shared: false, name: 'Toaster', file_name: 'toaster.pdf', upload_date: '2024-12-24T08:00:00.000Z', source: 'upload' as const, content_hash: hash };
  const code = (c: string) => (e: unknown) => isManuelError(e) && e.code === c;
  await assert.rejects(importManual(deps, { ...rec, content_hash: 'f'.repeat(64) }, pdf), code('validation_error'));
  await assert.rejects(importManual(deps, { ...rec, owner_email: 'nobody@example.com' }, pdf), code('validation_error'));
  const first = await importManual(deps, rec, pdf);
  assert.equal(first.status, 'created');
  const stored = await deps.manuals.get(first.manual_id, ['u1']);
  assert.deepEqual([stored?.ownerId, stored?.name, stored?.uploadDate, stored?.status], ['u1', 'Toaster', '2024-12-24T08:00:00.000Z', 'queued']);
  assert.deepEqual(await importManual(deps, rec, pdf), { manual_id: first.manual_id, status: 'exists', ingestion: 'queued' });
  const shared = await importManual(deps, { ...rec, owner_email: null, shared: true }, pdf);
  assert.equal((await deps.manuals.get(shared.manual_id, ['shared']))?.ownerId, 'shared');
});

it('export: emails tie records together, only scrypt hashes leave, API keys without their sealed secret, dead letters as kept', async () => {
  const users = new InMemoryUserRepo();
  await users.create(user('u1', 'ann@example.com'));
  await users.create(user('u2', 'cog@example.com', ''));
  const apiKeys = new InMemoryApiKeyRepo();
  await apiKeys.create({ keyId: 'mk_1', userId: 'u1', name: 'laptop', sealedSecret: 'v1.SEALED', secretSha256: 'a'.repeat(64), createdAt: '2025-02-01T00:00:00.000Z' });
  const usage = new InMemoryUsageRepo();
  await usage.record({ userId: 'u1', operation: 'query', at: '2025-03-01T00:00:00.000Z', costEur: 0.5 });
  const letter: DeadLetter = { id: 'd1', jobId: 'j1', kind: 'ingest', manualId: 'm1', ownerId: 'u1', errorType: 'pdf_timeout', error: 'stalled', attempts: 3, createdAt: 'x', firstFailedAt: 'x', deadAt: 'x', retries: 0 };
  const deadLetters = { list: async () => [letter] } as unknown as DeadLetterQueue;
  const s = await exportSections({ users, manuals: new InMemoryManualRepo(), usage, counters: new SummingCounters(), apiKeys, blobs: new InMemoryBlobStore(), clock: new ManualClock(), deadLetters });
  assert.deepEqual(s.users.map((u) => [u.email, u.hash_scheme, u.password_hash?.slice(0, 7) ?? null]), [['ann@example.com', 'scrypt', 'scrypt$'], ['cog@example.com', null, null]]);
  assert.deepEqual(s.api_keys, [{ key_id: 'mk_1', user_email: 'ann@example.com', name: 'laptop', secret_sha256: 'a'.repeat(64), created_at: '2025-02-01T00:00:00.000Z' }]);
  assert.ok(!JSON.stringify(s).includes('SEALED'));
  assert.deepEqual(s.usage, [{ user_email: 'ann@example.com', operation: 'query', at: '2025-03-01T00:00:00.000Z', cost_eur: 0.5, detail: null }]);
  assert.deepEqual(s.dead_letters, [letter]);
  assert.deepEqual(s.errors, []);
});
