import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { buildPdf } from '../helpers/api-pdfs.js';
import { dropPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis-test.js';
import { ask, uploadPdf } from '../helpers/ask-helpers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const toaster = buildPdf([
  ['Resetting the toaster', 'Hold the reset button for three seconds until the light blinks twice.'],
  ['Cleaning', 'Empty the crumb tray once a week and wipe the slots with a dry cloth.'],
]);
const kettle = buildPdf([['Resetting the kettle', 'To reset the kettle, lift it from the base and hold the switch down for five seconds.']]);

// Both shapes of the cache: the in-memory LRU (flag off), and Redis (flag on) under a prefix per run.
for (const redis of [false, true]) {
  const profile = redis ? 'Redis cache and counters' : 'in-memory cache, SQLite counters';
  describe(`API answer cache and quotas: ${profile}`, () => {
    const prefix = testPrefix('e2e-cache');
    const parameters = redis ? { EnableRedisCache: true, RedisKeyPrefix: prefix } : {};
    const servers: TestServer[] = [];
    after(async () => {
      for (const s of servers) await s.close();
      if (redis) await dropPrefix(TEST_REDIS_URL, prefix);
    });

    it('misses, hits the same question asked differently, and misses again after an upload', async () => {
      const t = await startTestServer({ parameters });
      servers.push(t);
      const token = await t.signup();
      await uploadPdf(t, token, toaster, 'toaster.pdf');
      const first = await ask(t, token, 'How do I reset the toaster?');
      assert.equal(first.status, 200);
      assert.equal(first.body.cache_status, 'miss');
      assert.equal(first.body.sources[0].page_number, 1);
      assert.equal(typeof first.body.response_time_ms, 'number');
      const second = await ask(t, token, 'how do i reset the TOASTER');
      assert.equal(second.body.cache_status, 'hit');
      assert.equal(second.body.answer, first.body.answer);

      // Another user asking the same question does not get alice's entry.
      const other = await t.signup();
      assert.equal((await ask(t, other, 'How do I reset the toaster?')).body.cache_status, 'miss');

      await uploadPdf(t, token, kettle, 'kettle.pdf');
      assert.equal((await ask(t, token, 'How do I reset the toaster?')).body.cache_status, 'miss', 'a new manual invalidates');
      assert.equal((await ask(t, token, 'How do I reset the toaster?')).body.cache_status, 'hit');
      const metrics = t.server.services.metrics;
      assert.equal(await metrics.value('answers_total', { cache_status: 'hit' }), 2);
      assert.equal(await metrics.value('answers_total', { cache_status: 'miss' }), 3);
    });

    it('64 parallel questions from a user with 10 left: exactly 10 answers and 54 × 429', async () => {
      const t = await startTestServer({ parameters: { ...parameters, DailyQuotaLimit: 15 } });
      servers.push(t);
      const session = await t.session();
      const token = session.access_token;
      await uploadPdf(t, token, toaster, 'toaster.pdf');
      for (let i = 0; i < 5; i++) assert.equal((await ask(t, token, `How do I clean the toaster ${i}?`)).status, 200);
      const all = await Promise.all(Array.from({ length: 64 }, (_, i) => ask(t, token, i % 2 ? 'How do I reset the toaster?' : `Question number ${i}?`)));
      const statuses = all.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 10, JSON.stringify(statuses));
      assert.equal(statuses.filter((s) => s === 429).length, 54);
      const quota = await (await t.request('/api/user/quota', { token })).json();
      assert.equal(quota.quotas.daily.used, 15);
      const usage = await (await t.request('/api/user/usage', { token })).json();
      assert.equal(usage.daily.count, 15);
      if (redis) {
        // The counters really are Redis's (not the SQLite stand-in of an outage).
        const raw = new Redis(TEST_REDIS_URL);
        try {
          const day = new Date().toISOString().slice(0, 10);
          assert.equal(await raw.hget(`${prefix}usage:${session.user.id}:d:${day}`, 'count'), '15');
        } finally {
          raw.disconnect();
        }
      }
    });

    if (redis) {
      it('a second server on the same data dir and Redis prefix serves the first one\'s cached answers', async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'manuel-two-'));
        try {
          const a = await startTestServer({ parameters, dataDir });
          const b = await startTestServer({ parameters, dataDir, worker: { start: false } });
          try {
            const session = await a.session();
            await uploadPdf(a, session.access_token, toaster, 'toaster.pdf');
            assert.equal((await ask(a, session.access_token, 'How do I reset the toaster?')).body.cache_status, 'miss');
            const onB = await ask(b, session.access_token, 'How do I reset the toaster?');
            assert.equal(onB.status, 200);
            assert.equal(onB.body.cache_status, 'hit');
            assert.equal(onB.body.usage_info.daily_used, 2, 'one quota across both processes');
          } finally {
            await b.close();
            await a.close();
          }
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      });
    }
  });
}
