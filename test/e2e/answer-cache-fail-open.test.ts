import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { killOwnRedis, startOwnRedis } from '../helpers/redis-test.js';
import { freePort } from '../helpers/server-processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ask, uploadPdf } from '../helpers/ask-helpers.js';
import { buildPdf } from '../helpers/api-pdfs.js';

const pdf = buildPdf([['Descaling', 'To descale the coffee machine, fill the tank with vinegar and run two empty cycles.']]);

describe('answer cache fails open when Redis goes away', () => {
  let redis: ChildProcess | null = null;
  let t: TestServer | null = null;
  after(async () => {
    await t?.close();
    if (redis) await killOwnRedis(redis);
  });

  it('answers with bypass while Redis is down, and uses the cache again once it is back', async () => {
    const port = await freePort();
    redis = await startOwnRedis(port);
    t = await startTestServer({ parameters: { EnableRedisCache: true, RedisUrl: `redis://127.0.0.1:${port}`, DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 } });
    const token = await t.signup();
    await uploadPdf(t, token, pdf, 'coffee.pdf');
    const q = 'How do I descale the coffee machine?';
    assert.equal((await ask(t, token, q)).body.cache_status, 'miss');
    assert.equal((await ask(t, token, q)).body.cache_status, 'hit');

    await killOwnRedis(redis);
    for (let i = 0; i < 3; i++) {
      const r = await ask(t, token, q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.cache_status, 'bypass');
      assert.match(r.body.answer, /vinegar/);
      assert.equal(r.body.usage_info.daily_used > 0, true, 'usage still counted (in SQLite while Redis is down)');
    }

    redis = await startOwnRedis(port);
    // ioredis reconnects in the background (back-off up to 2 s): ask until the cache is back.
    let status = 'bypass';
    for (let i = 0; i < 100 && status === 'bypass'; i++) {
      const r = await ask(t, token, q);
      assert.equal(r.status, 200);
      status = r.body.cache_status;
      if (status === 'bypass') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'miss', 'a fresh Redis: the first answer is stored again');
    assert.equal((await ask(t, token, q)).body.cache_status, 'hit');
  });
});
