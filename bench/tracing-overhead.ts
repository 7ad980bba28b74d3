/**
 * node dist/bench/tracing-overhead.js [--duration 5] [--connections 16] [--rounds 2] [--embeddings] [--in-process-only]
 * The cost of EnableXRayTracing on the query path: a real server (child process, as `npm start`)
 * holding the four eval manuals, POST /api/query under autocannon, with tracing off, on without an
 * exporter, and on exporting over OTLP/HTTP to a receiver run by this script (it counts spans and
 * throws them away, as a collector on another machine would cost this one nothing). Profiles are
 * interleaved over rounds so drift in the machine's load spreads over all of them. Keyword search only
 * unless --embeddings (the question's embedding then dominates, and hides the overhead). Prints JSON: CPU
 * time of the server per request (steadier than req/s on a shared machine), req/s, latency, spans exported.
 */
import autocannon from 'autocannon';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evalManualsDir, loadQa, repoRoot } from '../test/helpers/eval-manuals.js';
import { pino } from 'pino';
import { OtelTracer } from '../src/adapters/tracing/otel-tracer.js';
import { withTraceIds } from '../src/adapters/tracing/traced-ports.js';
import type { Logger } from '../src/core/ports/logger.js';
import { noTracer, type RequestTracer } from '../src/core/ports/tracer.js';
import { ApiClient } from './http-client.js';
import { startServerProcess } from './server-process.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    embeddings: { type: 'boolean', default: false },
    // Only the in-process cost per request (seconds, no server).
    'in-process-only': { type: 'boolean', default: false },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const EMAIL = 'trace-bench@example.com';
const PASSWORD = 'trace-bench-password-123';
const BASE = {
  MANUEL_PARAMETERS: join(repoRoot, 'infra', 'parameters-minimal.json'),
  DailyQuotaLimit: '0',
  MonthlyQuotaLimit: '0',
  ...(args.embeddings ? {} : { EmbeddingWorkers: '0' }),
};

/** An OTLP/HTTP endpoint that counts the spans it is sent and keeps nothing. */
async function discardingReceiver() {
  const seen = { requests: 0, spans: 0, bytes: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.requests++;
      seen.bytes += body.length;
      seen.spans += body.split('"spanId"').length - 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

async function prepare(dir: string): Promise<void> {
  const server = await startServerProcess({ MANUEL_DATA_DIR: dir, ...BASE });
  try {
    const api = new ApiClient(server.url);
    await api.signup(EMAIL, PASSWORD);
    const names = [...new Set(loadQa().map((q) => q.manual))];
    const jobs = await Promise.all(names.map((n) => api.uploadPdf(join(evalManualsDir(), n))));
    for (const j of jobs) await api.waitForJob(j.job_id, j.manual_id);
  } finally {
    await server.stop();
  }
}

/** CPU time (user + system, ms) the process has used: per request it is far steadier than req/s on a shared machine. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (100 Hz)
}

async function measure(url: string, pid: number, token: string, question: () => string) {
  const cpu0 = cpuMs(pid);
  const r = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/api/query',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'manuel-bench-tracing/1' },
        setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ question: question() }) }),
      },
    ],
  } as autocannon.Options);
  const cpuPerRequest = (cpuMs(pid) - cpu0) / Math.max(1, r.requests.total);
  return { requests: r.requests.total, req_per_s: Math.round(r.requests.average), cpu_ms_per_request: Math.round(cpuPerRequest * 1000) / 1000, p50_ms: r.latency.p50, p97_5_ms: r.latency.p97_5, p99_ms: r.latency.p99, non_2xx: r.non2xx, errors: r.errors };
}

const questions = loadQa().map((q) => q.question);
let n = 0;
const run = Date.now().toString(36);
const workloads: Record<string, () => string> = {
  hot: () => questions[0]!, // answered from the cache after the first request
  unique: () => `${questions[n % questions.length]} (variant ${run}-${n++})`, // retrieval and answer every time
};

/**
 * In-process CPU cost of tracing one request of `spans` spans (the server span and its children)
 * plus one log line, against the same work with tracing off: robust to a busy machine, unlike req/s.
 * With export, the receiver runs in this process too: its (small) work is counted.
 */
async function perRequestCost(tracer: RequestTracer | null, spans: number, iterations: number, exporting = false): Promise<number> {
  const sink = pino({ level: 'info' }, { write() {} }) as unknown as Logger;
  const log = tracer ? withTraceIds(sink, () => (tracer as OtelTracer).logFields()) : sink;
  const t = tracer ?? noTracer;
  const children = async () => {
    for (let k = 1; k < spans; k++) await t.span('child', { 'kb.limit': 50 }, async () => undefined);
    log.info({ status: 200 }, 'request');
  };
  // Flushed before the batch queue (2,048 spans) can overflow: every span is exported, none dropped.
  const flushEvery = Math.floor(1500 / spans);
  const one = async (i: number) => {
    if (exporting && i % flushEvery === 0) await (tracer as OtelTracer).flush();
    return run(i);
  };
  const run = (i: number) =>
    tracer ? tracer.request({ method: 'POST', path: '/api/query', requestId: `r${i}` }, async (s) => (await children(), s.finish('/api/query', 200))) : children();
  for (let i = 0; i < 2000; i++) await one(i); // warm-up (JIT)
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await one(i);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / iterations;
}

async function microCosts(receiverUrl: string, seen: { spans: number }) {
  const out: Record<string, Record<string, number>> = {};
  for (const [shape, spans] of [['cached_question_4_spans', 4], ['uncached_question_15_spans', 15]] as const) {
    const iterations = 20_000;
    const off = await perRequestCost(null, spans, iterations);
    const local = new OtelTracer({});
    const noExport = await perRequestCost(local, spans, iterations);
    await local.shutdown();
    const before = seen.spans;
    const exporting = new OtelTracer({ endpoint: receiverUrl });
    const withExport = await perRequestCost(exporting, spans, iterations, true);
    await exporting.shutdown();
    const r = (x: number) => Math.round(x * 10) / 10;
    out[shape] = {
      off_us: r(off),
      on_no_export_us: r(noExport),
      on_otlp_export_us: r(withExport),
      added_no_export_us: r(noExport - off),
      added_otlp_export_us: r(withExport - off),
      exported_share: Math.round(((seen.spans - before) / ((iterations + 2000) * spans)) * 1000) / 1000,
    };
    console.error(`tracing-overhead: in-process ${shape}: ${JSON.stringify(out[shape])}`);
  }
  return out;
}

const prepared = mkdtempSync(join(tmpdir(), 'manuel-trace-prepared-'));
const receiver = await discardingReceiver();
// Every request traced (TracingSampleRate 1), and the default sampling (the first trace of each second, then 5 %).
const profiles: Record<string, Record<string, string>> = {
  off: {},
  on_no_export: { EnableXRayTracing: 'true', TracingSampleRate: '1' },
  on_otlp_export: { EnableXRayTracing: 'true', TracingSampleRate: '1', OtelExporterEndpoint: receiver.url },
  sampled_otlp_export: { EnableXRayTracing: 'true', OtelExporterEndpoint: receiver.url },
};
const results: Record<string, Record<string, Awaited<ReturnType<typeof measure>>[]>> = {};
const exported: Record<string, { requests: number; spans_received: number; spans_per_request: number }> = {};
let micro: Awaited<ReturnType<typeof microCosts>> | undefined;
try {
  micro = await microCosts(receiver.url, receiver.seen);
  if (!args['in-process-only']) await prepare(prepared);
  for (let round = 0; round < (args['in-process-only'] ? 0 : Number(args.rounds)); round++) {
    for (const [name, env] of Object.entries(profiles)) {
      const dataDir = mkdtempSync(join(tmpdir(), `manuel-trace-${name}-`));
      cpSync(prepared, dataDir, { recursive: true });
      const server = await startServerProcess({ MANUEL_DATA_DIR: dataDir, ...BASE, ...env });
      const before = receiver.seen.spans;
      let requests = 0;
      try {
        const api = new ApiClient(server.url);
        api.token = (await api.call('POST', '/api/auth/login', { email: EMAIL, password: PASSWORD })).access_token;
        for (const [w, question] of Object.entries(workloads)) {
          const m = await measure(server.url, server.child.pid!, api.token, question);
          requests += m.requests;
          ((results[w] ??= {})[name] ??= []).push(m);
          console.error(`tracing-overhead: round ${round + 1} ${name}/${w}: ${m.req_per_s} req/s, ${m.cpu_ms_per_request} ms CPU per request`);
        }
      } finally {
        await server.stop(); // SIGTERM: the last batch is flushed before exit
        rmSync(dataDir, { recursive: true, force: true });
      }
      if (name.endsWith('_otlp_export')) {
        const got = receiver.seen.spans - before;
        const e = (exported[`${name}_round_${round + 1}`] = { requests, spans_received: got, spans_per_request: Math.round((got / Math.max(1, requests)) * 10) / 10 });
        console.error(`tracing-overhead: exported ${e.spans_received} spans for ${requests} requests`);
      }
    }
  }
} finally {
  await receiver.close();
  rmSync(prepared, { recursive: true, force: true });
}

const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : Math.round(((s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) * 1000) / 1000;
};
const summary = Object.fromEntries(
  Object.entries(results).map(([w, byProfile]) => {
    const off = mean(byProfile.off!.map((m) => m.req_per_s));
    const offCpu = median(byProfile.off!.map((m) => m.cpu_ms_per_request));
    return [
      w,
      Object.fromEntries(
        Object.entries(byProfile).map(([p, ms]) => {
          const rps = mean(ms.map((m) => m.req_per_s));
          const cpu = median(ms.map((m) => m.cpu_ms_per_request));
          return [
            p,
            {
              cpu_ms_per_request_median: cpu,
              cpu_vs_off: `${(((cpu - offCpu) / offCpu) * 100).toFixed(1)}%`,
              req_per_s_mean: rps,
              req_per_s_vs_off: `${(((rps - off) / off) * 100).toFixed(1)}%`,
              p50_ms: mean(ms.map((m) => m.p50_ms)),
              p99_ms: mean(ms.map((m) => m.p99_ms)),
            },
          ];
        }),
      ),
    ];
  }),
);
console.log(
  JSON.stringify(
    { machine: { cores: cpus().length, node: process.version, loadavg_at_end: loadavg().map((x) => Math.round(x * 10) / 10) }, connections, duration_s: duration, embeddings: args.embeddings, in_process_cpu_per_request: micro, summary, exported, runs: results },
    null,
    2,
  ),
);
