/**
 * node dist/bench/http-metrics-overhead.js: what the HTTP metrics middleware costs a request, in
 * process (app.request, no sockets): a small Hono app with the request-id middleware and a
 * parameterised JSON route, without the middleware, with it (the minimal profile: Prometheus counter
 * and histogram), and with the per-minute aggregates too (monitoring on). Also the cost of one
 * scrape. CPU time per request, best of interleaved rounds. Prints figures; asserts nothing. Numbers on a shared machine are noisy: read the difference.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { PromMetrics } from '../src/adapters/metrics/prom-metrics.js';
import { MinuteAggregator } from '../src/core/monitoring/minute-aggregator.js';
import { systemClock } from '../src/core/ports/clock.js';
import type { AppEnv } from '../src/http/app-env.js';
import { httpMetrics } from '../src/http/middleware/http-metrics.js';

const N = Number(process.env.BENCH_REQUESTS ?? 100_000);
const ROUNDS = 5;

function app(variant: 'off' | 'prometheus' | 'monitoring') {
  const a = new Hono<AppEnv>();
  a.use('*', requestId());
  const metrics = new PromMetrics();
  if (variant !== 'off') a.use('*', httpMetrics({ metrics, sink: variant === 'monitoring' ? new MinuteAggregator(systemClock) : null }));
  a.use('/api/*', (_c, next) => next());
  a.get('/api/manuals/:id', (c) => c.json({ id: c.req.param('id'), pages: 12 }));
  a.get('/api/manuals', (c) => c.json({ manuals: [], count: 0 }));
  return { a, metrics };
}

async function run(a: Hono<AppEnv>): Promise<number> {
  // CPU time of this process, not wall time: other processes on the machine inflate wall time far more.
  const started = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const res = await a.request(i % 2 ? `/api/manuals/m-${i % 500}` : '/api/manuals');
    await res.arrayBuffer();
  }
  const used = process.cpuUsage(started);
  return ((used.user + used.system) * 1000) / N; // ns of CPU per request
}

const variants = ['off', 'prometheus', 'monitoring'] as const;
const apps = Object.fromEntries(variants.map((v) => [v, app(v)]));
const best: Record<string, number> = {};
for (let r = 0; r < ROUNDS; r++) {
  // Interleaved rounds, best of each: less sensitive to other processes on the machine.
  for (const v of variants) best[v] = Math.min(best[v] ?? Infinity, await run(apps[v]!.a));
}
const scrapeStarted = performance.now();
const text = await apps.monitoring!.metrics.text();
const scrapeMs = performance.now() - scrapeStarted;
console.log(
  JSON.stringify(
    {
      requests_per_round: N,
      rounds: ROUNDS,
      ns_per_request: Object.fromEntries(variants.map((v) => [v, Math.round(best[v]!)])),
      overhead_us: {
        prometheus: Math.round(best.prometheus! - best.off!) / 1000,
        monitoring: Math.round(best.monitoring! - best.off!) / 1000,
      },
      scrape_ms: Math.round(scrapeMs * 10) / 10,
      scrape_bytes: text.length,
    },
    null,
    2,
  ),
);
