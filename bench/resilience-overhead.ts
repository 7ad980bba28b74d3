/**
 * node dist/bench/resilience-overhead.js: what the EnableAdvancedErrorHandling policies cost per call.
 *
 * 1. In-process: an async no-op called directly, then through the Redis policy (breaker only) and the
 *    model-endpoint policy (deadline + retry + breaker), on the success path.
 * 2. A real Redis GET (the machine's Redis, a key prefix of its own) with and without the breaker.
 * 3. With `BENCH_HUNG_REDIS=1`: /api/query latency while our own redis-server is SIGSTOPped (hung, so
 *    every command waits for its 250 ms time-out), flag off vs on: what skipping a dead Redis buys.
 * Prints figures; asserts nothing. Numbers on a shared 2-core machine are noisy: read them as orders.
 */
import { createRedisConnection, redisReady } from '../src/adapters/redis/redis-connection.js';
import { BreakerRegistry } from '../src/adapters/resilience/breaker-registry.js';
import { modelEndpointPolicy, redisPolicy } from '../src/adapters/resilience/resilience-setup.js';
import { noMetrics } from '../src/core/ports/metrics.js';
import { MemoryLogger } from '../test/helpers/fakes.js';

const N = Number(process.env.BENCH_CALLS ?? 200_000);
const registry = new BreakerRegistry({ logger: new MemoryLogger(), metrics: noMetrics });
const redisGuard = registry.policy(redisPolicy());
const modelGuard = registry.policy(modelEndpointPolicy('answer-endpoint', { MaxRetryAttempts: 3, BaseRetryDelay: 200, MaxRetryDelay: 5000, ReadTimeout: 30_000 }));

async function perCall(label: string, call: () => Promise<unknown>, n = N): Promise<[string, number]> {
  for (let i = 0; i < Math.min(n, 5000); i++) await call(); // warm-up
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call();
  return [label, Number(process.hrtime.bigint() - t) / n / 1000]; // µs per call
}

const noop = async () => 1;
const micro: [string, number][] = [];
// Median of 5 rounds each, interleaved, so a neighbour's burst does not land on one variant only.
const rounds: Record<string, number[]> = {};
for (let r = 0; r < 5; r++) {
  for (const [label, us] of [
    await perCall('direct', noop),
    await perCall('redis_policy', () => redisGuard.execute(noop)),
    await perCall('model_policy', () => modelGuard.execute(noop)),
  ]) (rounds[label!] ??= []).push(us as number);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [label, xs] of Object.entries(rounds)) micro.push([label, median(xs)]);
const base = micro[0]![1];

const out: Record<string, unknown> = {
  calls_per_round: N,
  in_process_us_per_call: Object.fromEntries(micro.map(([l, us]) => [l, Math.round(us * 1000) / 1000])),
  added_us_per_call: Object.fromEntries(micro.slice(1).map(([l, us]) => [l, Math.round((us - base) * 1000) / 1000])),
};

const redis = createRedisConnection({ url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', logger: new MemoryLogger(), keyPrefix: `bench:resil:${process.pid}:` });
if (await redisReady(redis, 2000)) {
  await redis.set('k', 'v', 'EX', 60);
  const get = () => redis.get('k');
  const r: Record<string, number[]> = {};
  for (let i = 0; i < 5; i++) {
    for (const [label, us] of [await perCall('direct', get, 5000), await perCall('guarded', () => redisGuard.execute(get), 5000)]) (r[label!] ??= []).push(us as number);
  }
  out.redis_get_us_per_call = { direct: Math.round(median(r.direct!)), guarded: Math.round(median(r.guarded!)) };
  await redis.del('k');
} else {
  out.redis_get_us_per_call = 'skipped: no Redis at BENCH_REDIS_URL';
}
redis.disconnect();

if (process.env.BENCH_HUNG_REDIS === '1') out.hung_redis_query_ms = await hungRedis();

console.log(JSON.stringify(out, null, 2));

/** p50/p95 of sequential questions while our own Redis is SIGSTOPped, with the flag off and on. */
async function hungRedis(): Promise<Record<string, unknown>> {
  const { startOwnRedis, killOwnRedis } = await import('../test/helpers/redis-test.js');
  const { freePort } = await import('../test/helpers/server-processes.js');
  const { startTestServer } = await import('../test/helpers/server.js');
  const { ask, uploadPdf } = await import('../test/helpers/ask-helpers.js');
  const { buildPdf } = await import('../test/helpers/api-pdfs.js');
  const result: Record<string, unknown> = {};
  for (const enabled of [false, true]) {
    const port = await freePort();
    const child = await startOwnRedis(port);
    const t = await startTestServer({
      parameters: { EnableRedisCache: true, RedisUrl: `redis://127.0.0.1:${port}`, EnableAdvancedErrorHandling: enabled, DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 },
      validateResponses: false,
      breakers: { redisPauseMs: 60_000 }, // no trial during the measurement
    });
    try {
      const token = await t.signup();
      await uploadPdf(t, token, buildPdf([['Descaling', 'Fill the tank with vinegar and run two empty cycles.']]), 'c.pdf');
      child.kill('SIGSTOP');
      const times: number[] = [];
      for (let i = 0; i < 40; i++) {
        const s = performance.now();
        await ask(t, token, 'How do I descale?');
        times.push(performance.now() - s);
      }
      const sorted = times.slice(5).sort((a, b) => a - b); // after the first few failures that open the breaker
      result[enabled ? 'flag_on' : 'flag_off'] = { p50: Math.round(sorted[Math.floor(sorted.length / 2)]!), p95: Math.round(sorted[Math.floor(sorted.length * 0.95)]!) };
    } finally {
      child.kill('SIGCONT');
      await t.close();
      await killOwnRedis(child);
    }
  }
  return result;
}
