/**
 * node dist/bench/usage-scaling.js: does a question's quota bookkeeping cost more the more a user has
 * asked? Times "check and count + usage_info" per question for one user before and after 20,000 usage
 * events, with the counters (SQLite, and Redis when 127.0.0.1:6379 answers) and, for comparison, the
 * previous way (four range scans over the raw events); then one cached question over HTTP (sequential
 * requests/s) before and after the same 20,000 events. Prints JSON, asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteUsageCounters } from '../src/adapters/embedded/sqlite-usage-counters.js';
import { SqliteUsageRepo } from '../src/adapters/embedded/sqlite-usage-repo.js';
import { createRedisConnection, redisReady } from '../src/adapters/redis/redis-connection.js';
import { RedisUsageCounters } from '../src/adapters/redis/redis-usage-counters.js';
import type { UsageCounters } from '../src/core/ports/usage-counters.js';
import { recordUsage, reserveQuota, usageInfo, type QuotaDeps } from '../src/core/usage/quota.js';
import { startOfUtcDay, startOfUtcMonth } from '../src/core/usage/usage-info.js';
import { MemoryLogger } from '../test/helpers/fakes.js';
import { dropPrefix, testPrefix } from '../test/helpers/redis-test.js';
import { buildPdf } from '../test/helpers/api-pdfs.js';
import { ask, uploadPdf } from '../test/helpers/ask-helpers.js';
import { startTestServer } from '../test/helpers/server.js';

const EVENTS = 20_000;
const ROUNDS = 2_000;
const limits = { DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 }; // unlimited: every check passes and counts

async function perQuestionUs(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 1000; i++) await fn(); // warm-up (JIT, page cache)
  const start = performance.now();
  for (let i = 0; i < ROUNDS; i++) await fn();
  return Math.round(((performance.now() - start) * 1000) / ROUNDS);
}

async function scenario(name: string, makeCounters: (db: ReturnType<typeof openDatabase>) => Promise<{ counters: UsageCounters; close(): Promise<void> }>) {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-usage-bench-'));
  const db = openDatabase(join(dir, 'manuel.db'));
  const { counters, close } = await makeCounters(db);
  const deps: QuotaDeps = { usage: new SqliteUsageRepo(db), counters };
  const user = 'heavy-user';
  const counted = async () => {
    await reserveQuota(deps, { userId: user, parameters: limits });
    return usageInfo(deps, user, limits);
  };
  // What every question did before the counters: four range scans of the user's raw events.
  const scans = async () => {
    const now = new Date();
    for (const since of [startOfUtcDay(now), startOfUtcMonth(now), startOfUtcDay(now), startOfUtcMonth(now)]) await deps.usage.totals(user, since.toISOString());
  };
  try {
    const before = { counters_us: await perQuestionUs(counted), raw_event_scans_us: await perQuestionUs(scans) };
    const insertStart = performance.now();
    const insertMany = db.transaction(() => {
      const stmt = db.prepare("INSERT INTO usage_events (user_id, operation, at, cost_eur, detail) VALUES (?, 'query', ?, 0, NULL)");
      const now = Date.now();
      for (let i = 0; i < EVENTS; i++) stmt.run(user, new Date(now - (i % 3600) * 1000).toISOString());
    });
    insertMany();
    await counters.add(user, new Date(), { count: EVENTS, costEur: 0 }); // what recordUsage would have counted
    await recordUsage(deps, { userId: user, operation: 'query' });
    const insertMs = Math.round(performance.now() - insertStart);
    const afterFig = { counters_us: await perQuestionUs(counted), raw_event_scans_us: await perQuestionUs(scans) };
    return { store: name, events_inserted: EVENTS, insert_ms: insertMs, rounds: ROUNDS, before, after: afterFig, usage_info_after: await usageInfo(deps, user, limits) };
  } finally {
    await close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One cached question over HTTP, sequential requests, before and after the user's 20,000 events. */
async function overHttp(parameters: Record<string, unknown>) {
  const t = await startTestServer({ parameters: { DailyQuotaLimit: 0, MonthlyQuotaLimit: 0, ...parameters }, validateResponses: false });
  try {
    const session = await t.session();
    const token = session.access_token;
    await uploadPdf(t, token, buildPdf([['Resetting', 'Hold the reset button for three seconds until the light blinks twice.']]), 'toaster.pdf');
    const rps = async (n: number) => {
      for (let i = 0; i < 100; i++) await ask(t, token, 'How do I reset it?');
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const r = await ask(t, token, 'How do I reset it?');
        if (r.status !== 200 || r.body.cache_status !== 'hit') throw new Error(`status ${r.status} ${r.body.cache_status}`);
      }
      return Math.round(n / ((performance.now() - start) / 1000));
    };
    const before = await rps(1000);
    const db = t.server.services.db;
    const stmt = db.prepare("INSERT INTO usage_events (user_id, operation, at, cost_eur, detail) VALUES (?, 'query', ?, 0, NULL)");
    db.transaction(() => {
      for (let i = 0; i < EVENTS; i++) stmt.run(session.user.id, new Date(Date.now() - (i % 3600) * 1000).toISOString());
    })();
    return { profile: parameters.EnableRedisCache ? 'redis' : 'sqlite+memory', sequential_cached_question_rps: { before, after_20000_events: await rps(1000) } };
  } finally {
    await t.close();
  }
}

const results: unknown[] = [await scenario('sqlite', async (db) => ({ counters: new SqliteUsageCounters(db), close: async () => {} }))];

const probe = createRedisConnection({ url: 'redis://127.0.0.1:6379', logger: new MemoryLogger(), keyPrefix: testPrefix('bench-usage') });
if (await redisReady(probe)) {
  const prefix = (probe.options.keyPrefix as string) ?? '';
  results.push(await scenario('redis', async () => ({ counters: new RedisUsageCounters(probe), close: () => dropPrefix('redis://127.0.0.1:6379', prefix) })));
}
const redisUp = await redisReady(probe);
probe.disconnect();
const http = [await overHttp({}), ...(redisUp ? [await overHttp({ EnableRedisCache: true, RedisKeyPrefix: testPrefix('bench-http') })] : [])];

console.log(JSON.stringify({ bench: 'usage-scaling', unit: 'microseconds per question (check-and-count + usage_info)', results, http }, null, 2));
