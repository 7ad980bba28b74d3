import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { ask, uploadPdf } from '../helpers/ask-helpers.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { killOwnRedis, startOwnRedis } from '../helpers/redis-test.js';
import { freePort } from '../helpers/server-processes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const pdf = buildPdf([
  ['Descaling', 'To descale the coffee machine, fill the tank with vinegar and run two empty cycles.'],
  ['Milk frother', 'Rinse the milk frother with warm water after every use and wipe the steam wand.'],
]);
const QUESTIONS = ['How do I descale the coffee machine?', 'How do I clean the milk frother?', 'What goes in the tank to descale?', 'How do I rinse the steam wand?'];
const REDIS_PAUSE = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Redis killed under load (EnableRedisCache + EnableAdvancedErrorHandling)', () => {
  let redis: ChildProcess | null = null;
  let t: TestServer | null = null;
  after(async () => {
    await t?.close();
    if (redis) await killOwnRedis(redis);
  });

  it('zero failed requests, the redis breaker opens (seen in /health/deep), and the cache is used again after a restart', async () => {
    const port = await freePort();
    redis = await startOwnRedis(port);
    t = await startTestServer({
      parameters: {
        EnableRedisCache: true,
        RedisUrl: `redis://127.0.0.1:${port}`,
        EnableAdvancedErrorHandling: true,
        // Rate limits on the same Redis, fail mode open: their store goes through the breaker too.
        EnableAdvancedSecurity: true,
        RateLimitRequests: 100_000,
        DailyQuotaLimit: 0,
        MonthlyQuotaLimit: 0,
      },
      breakers: { redisPauseMs: REDIS_PAUSE },
    });
    const server = t;
    const admin = await server.signup();
    const user = await server.signup();
    await uploadPdf(server, user, pdf, 'coffee.pdf');
    const deep = async () => (await (await server.request('/health/deep', { token: admin })).json()) as { dependencies: Record<string, any>[] };
    const redisDep = async () => (await deep()).dependencies.find((d) => d.name === 'redis')!;
    assert.equal((await ask(server, user, QUESTIONS[0]!)).body.cache_status, 'miss');
    assert.equal((await ask(server, user, QUESTIONS[0]!)).body.cache_status, 'hit');
    const healthy = await redisDep();
    assert.equal(healthy.status, 'ok');
    assert.equal(healthy.breaker.state, 'closed');

    // Bounded load: 4 clients x 60 questions; Redis is SIGKILLed after the 60th answer.
    const statuses: number[] = [];
    const cacheStatuses: string[] = [];
    let done = 0;
    let killedAt = -1;
    const outage: { reading: boolean; dep?: Record<string, any> } = { reading: false };
    const client = async (c: number) => {
      for (let i = 0; i < 60; i++) {
        const r = await ask(server, user, QUESTIONS[(c + i) % QUESTIONS.length]!);
        statuses.push(r.status);
        cacheStatuses.push(r.body.cache_status);
        done++;
        if (done === 60 && killedAt < 0) {
          killedAt = done;
          await killOwnRedis(redis!);
        }
        // Well inside the breaker's pause after the kill: it must read open.
        if (killedAt > 0 && done >= killedAt + 20 && !outage.reading) {
          outage.reading = true;
          outage.dep = await redisDep();
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(client));
    assert.equal(statuses.length, 240);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], 'zero failed requests');
    assert.ok(cacheStatuses.filter((s) => s === 'bypass').length >= 100, 'answered without the cache after the kill');
    const during = outage.dep!;
    assert.ok(during, 'deep health read during the outage');
    assert.equal(during.breaker.state, 'open', JSON.stringify(during));
    assert.ok(during.breaker.failures >= 5);
    // down from its own probe, or degraded by the live breaker while an "ok" probe is still reused (2 s).
    assert.ok(['down', 'degraded'].includes(during.status), during.status);
    assert.ok((await server.server.services.metrics.value('breaker_transitions_total', { service: 'redis', to: 'open' })) >= 1);
    // While open, Redis is not even tried: questions are answered (bypass) and counted in SQLite.
    const r = await ask(server, user, QUESTIONS[1]!);
    assert.deepEqual([r.status, r.body.cache_status], [200, 'bypass']);
    assert.ok(r.body.usage_info.daily_used > 0, 'counted (in SQLite while Redis is gone)');

    redis = await startOwnRedis(port);
    // ioredis reconnects in the background, the breaker lets a trial through after its pause: ask
    // until the (fresh, empty) cache stores an answer again, then the same question is a hit.
    let status = 'bypass';
    for (let i = 0; i < 150 && status === 'bypass'; i++) {
      const again = await ask(server, user, QUESTIONS[2]!);
      assert.equal(again.status, 200);
      status = again.body.cache_status;
      if (status === 'bypass') await sleep(100);
    }
    assert.equal(status, 'miss', 'Redis used again');
    assert.equal((await ask(server, user, QUESTIONS[2]!)).body.cache_status, 'hit');
    await sleep(2100); // past the probe cache
    const back = await redisDep();
    assert.equal(back.status, 'ok');
    assert.equal(back.breaker.state, 'closed');
  });
});
