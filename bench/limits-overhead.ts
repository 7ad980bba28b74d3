/**
 * node dist/bench/limits-overhead.js: req/s of an authenticated GET /api/manuals with
 * EnableAdvancedSecurity off, on with the memory store, and on with Redis (per-address and per-user
 * limits, allowlist), so the cost of the controls can be read. Prints figures; asserts nothing.
 */
import autocannon from 'autocannon';
import { startTestServer } from '../test/helpers/server.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const profiles: Record<string, Record<string, unknown>> = {
  flags_off: {},
  security_memory: { EnableAdvancedSecurity: true, RateLimitRequests: 1_000_000, IPAllowlist: '127.0.0.0/8' },
  security_redis: { EnableAdvancedSecurity: true, RateLimitRequests: 1_000_000, IPAllowlist: '127.0.0.0/8', RedisUrl: 'redis://127.0.0.1:6379' },
};

const out: Record<string, unknown> = {};
for (const [name, parameters] of Object.entries(profiles)) {
  const s = await startTestServer({ parameters, validateResponses: false });
  try {
    const token = await s.signup();
    const r = await autocannon({ url: `${s.url}/api/manuals`, connections: 16, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
    out[name] = { req_per_s: Math.round(r.requests.average), p50_ms: r.latency.p50, p99_ms: r.latency.p99, non2xx: r.non2xx };
  } finally {
    await s.close();
  }
}
console.log(JSON.stringify({ seconds: SECONDS, connections: 16, ...out }, null, 2));
