import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InMemoryUsageRepo, ManualClock } from '../../../test/helpers/fakes.js';
import { MemoryUsageCounters } from '../../adapters/embedded/memory-usage-counters.js';
import { ManuelError } from '../errors.js';
import { checkQuota, costOf, quotaSummary, recordUsage, usageSummary } from './quota.js';

const limits = { DailyQuotaLimit: 3, MonthlyQuotaLimit: 5 };
const prices = { PriceQueryEur: 0.002, PriceTranscribeMinuteEur: 0.024, PriceInputTokensPer1kEur: 0.003, PriceOutputTokensPer1kEur: 0.015 };

function setup(at = '2025-03-10T22:00:00.000Z') {
  const clock = new ManualClock();
  clock.set(at);
  const deps = { usage: new InMemoryUsageRepo(), counters: new MemoryUsageCounters(), clock };
  const use = (operation: 'query' | 'transcribe' | 'upload', userId = 'alice', costEur = 0.01) => recordUsage(deps, { userId, operation, costEur });
  return { deps, clock, use };
}

describe('quota', () => {
  it('allows up to the daily limit, then refuses until the next UTC midnight', async () => {
    const { deps, use } = setup();
    for (let i = 0; i < 3; i++) {
      const info = await checkQuota(deps, { userId: 'alice', parameters: limits });
      assert.equal(info.daily_remaining, 3 - i);
      await use(i === 1 ? 'transcribe' : 'query');
    }
    await use('upload'); // uploads do not count against the quota
    await use('query', 'bob');
    await assert.rejects(checkQuota(deps, { userId: 'alice', parameters: limits }), (e: unknown) => {
      assert.ok(e instanceof ManuelError && e.code === 'quota_exceeded');
      assert.equal(e.details?.retry_after_seconds, 2 * 3600);
      assert.deepEqual(e.details?.usage_info, { daily_used: 3, daily_limit: 3, daily_remaining: 0, monthly_used: 3, monthly_limit: 5, monthly_remaining: 2 });
      return true;
    });
    await checkQuota(deps, { userId: 'bob', parameters: limits });
  });

  it('a new UTC day resets the daily count; the monthly limit holds until the month ends', async () => {
    const { deps, clock, use } = setup('2025-03-30T10:00:00.000Z');
    for (let i = 0; i < 3; i++) await use('query');
    clock.set('2025-03-31T00:00:00.000Z');
    await use('query');
    await use('query');
    await assert.rejects(checkQuota(deps, { userId: 'alice', parameters: limits }), (e: unknown) => {
      assert.ok(e instanceof ManuelError);
      assert.equal(e.details?.quota, 'monthly');
      assert.equal(e.details?.retry_after_seconds, 86_400);
      return true;
    });
    clock.set('2025-04-01T00:00:00.000Z');
    assert.equal((await checkQuota(deps, { userId: 'alice', parameters: limits })).monthly_used, 0);
  });

  it('a limit of 0 means unlimited', async () => {
    const { deps, use } = setup();
    for (let i = 0; i < 10; i++) await use('query');
    const info = await checkQuota(deps, { userId: 'alice', parameters: { DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 } });
    assert.equal(info.daily_used, 10);
    assert.equal(info.daily_remaining, -1);
  });

  it('prices a request from the price parameters', () => {
    const q = costOf({ operation: 'query', tokens: { input: 2000, output: 500, model: 'llama3' } }, prices);
    assert.equal(q.currency, 'EUR');
    assert.equal(q.total_cost, 0.002 + 0.006 + 0.0075);
    assert.deepEqual(q.cost_breakdown.map((c) => c.operation), ['query', 'input_tokens', 'output_tokens']);
    const v = costOf({ operation: 'transcribe', audioSeconds: 30 }, prices);
    assert.equal(v.total_cost, 0.012);
    assert.equal(costOf({ operation: 'query' }, { PriceQueryEur: 0, PriceTranscribeMinuteEur: 0, PriceInputTokensPer1kEur: 0, PriceOutputTokensPer1kEur: 0 }).total_cost, 0);
  });

  it('summarises quota and usage like the original API', async () => {
    const { deps, clock, use } = setup('2025-03-09T12:00:00.000Z');
    await use('query');
    clock.set('2025-03-10T08:00:00.000Z');
    await use('query', 'alice', 0.5);
    await recordUsage(deps, { userId: 'alice', operation: 'transcribe', costEur: 0.25, detail: { audio_seconds: 9 } });
    await recordUsage(deps, { userId: 'alice', operation: 'query', costEur: 0, detail: { question: 'How do I reset it?' } });
    const q = await quotaSummary(deps, { userId: 'alice', parameters: limits });
    assert.deepEqual(q.quotas.daily, { limit: 3, used: 3, remaining: 0, percent_used: 100 });
    assert.deepEqual(q.quotas.monthly, { limit: 5, used: 4, remaining: 1, percent_used: 80 });
    assert.equal(q.status, 'EXCEEDED');
    assert.equal(q.last_operation, 'query');
    const u = await usageSummary(deps, { userId: 'alice', parameters: limits });
    assert.equal(u.daily.count, 3);
    assert.equal(u.daily.cost_eur, 0.75);
    assert.equal(u.monthly.count, 4);
    assert.equal(u.monthly.cost_eur, 0.76);
    assert.deepEqual(u.breakdown, { query: 3, transcribe: 1, total: 4 });
    assert.equal(u.historical.length, 7);
    assert.deepEqual(u.historical.at(-1), { date: '2025-03-10', daily_count: 3, operations: { query: 2, transcribe: 1 } });
    assert.deepEqual(u.historical.at(-2), { date: '2025-03-09', daily_count: 1, operations: { query: 1 } });
    assert.equal(u.recent_queries[0]?.question, 'How do I reset it?');
    assert.equal(u.recent_queries.length, 3);
  });
});
