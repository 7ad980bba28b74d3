import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { MemoryLogger } from '../helpers/fakes.js';
import { dropPrefix, TEST_REDIS_URL, testPrefix } from '../helpers/redis-test.js';
import { freePort, hammer, startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const LIMIT = 200;
const TOTAL = 1000;
const securityEnv = (extra: Record<string, string>) => ({
  EnableAdvancedSecurity: 'true',
  RateLimitRequests: String(LIMIT),
  RateLimitWindowMinutes: '30', // one window for the whole test
  ...extra,
});
// A cheap route behind the per-address limiter (401 without a token, counted before authentication).
const target = (url: string) => `${url}/api/manuals`;
const admitted = (counts: Map<number, number>) => TOTAL - (counts.get(429) ?? 0);

describe('rate limiter accuracy', () => {
  const procs: ServerProcess[] = [];
  after(() => Promise.all(procs.map((p) => p.stop())));

  it(`two server processes sharing the real Redis admit ${LIMIT} of ${TOTAL} concurrent requests (±5 %)`, async (t) => {
    const prefix = testPrefix('rl-accuracy');
    t.after(() => dropPrefix(TEST_REDIS_URL, prefix));
    const env = securityEnv({ RedisUrl: TEST_REDIS_URL, RedisKeyPrefix: prefix });
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    procs.push(a!, b!);
    const counts = await hammer([target(a!.url), target(b!.url)], TOTAL, 64);
    t.diagnostic(`redis, 2 processes: admitted ${admitted(counts)} of ${TOTAL} (limit ${LIMIT}); statuses ${JSON.stringify([...counts])}`);
    assert.ok(Math.abs(admitted(counts) - LIMIT) <= LIMIT * 0.05, `admitted ${admitted(counts)}`);
    assert.equal(counts.get(401), admitted(counts), 'every admitted request reached authentication');
  });

  it(`one server process on memory admits ${LIMIT} of ${TOTAL} concurrent requests (±5 %)`, async (t) => {
    const p = await startServerProcess(securityEnv({}));
    procs.push(p);
    const counts = await hammer([target(p.url)], TOTAL, 64);
    t.diagnostic(`memory, 1 process: admitted ${admitted(counts)} of ${TOTAL} (limit ${LIMIT})`);
    assert.ok(Math.abs(admitted(counts) - LIMIT) <= LIMIT * 0.05, `admitted ${admitted(counts)}`);
  });
});

describe('rate-limit store outage (own redis-server, killed mid-test)', () => {
  for (const mode of ['open', 'closed'] as const) {
    it(`RateLimitFailMode=${mode}`, async () => {
      const port = await freePort();
      const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      let server: TestServer | undefined;
      try {
        await new Promise((r) => setTimeout(r, 300));
        const logger = new MemoryLogger();
        server = await startTestServer({
          logger,
          parameters: { EnableAdvancedSecurity: true, RateLimitRequests: 100, RedisUrl: `redis://127.0.0.1:${port}`, RateLimitFailMode: mode },
        });
        const before = await server.request('/api/openapi.json');
        assert.equal(before.status, 200);
        assert.match(before.headers.get('ratelimit') ?? '', /^"ip";r=99;/, 'counted in Redis');

        const exited = new Promise((r) => redis.once('exit', r));
        redis.kill('SIGKILL');
        await exited;
        await new Promise((r) => setTimeout(r, 100));

        for (let i = 0; i < 5; i++) {
          const res = await server.request('/api/openapi.json');
          if (mode === 'open') {
            assert.equal(res.status, 200);
            assert.equal(res.headers.get('ratelimit'), null, 'nothing counted, nothing claimed');
          } else {
            assert.equal(res.status, 503);
            assert.equal(((await res.json()) as { error_type: string }).error_type, 'unavailable');
          }
        }
        assert.equal((await server.request('/health')).status, 200, '/health does not depend on the limiter');
        const outageLines = logger.lines.filter((l) => l.level === 'error' && /rate-limit store unavailable/.test(l.msg ?? ''));
        assert.equal(outageLines.length, 1, 'logged once per outage, not per request');
        assert.ok((await server.server.services.metrics.value('rate_limit_store_failures_total')) >= 5);
      } finally {
        if (redis.exitCode === null) redis.kill('SIGKILL');
        await server?.close();
      }
    });
  }
});
