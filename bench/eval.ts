/**
 * npm run eval [-- --gate] [-- --voice] [-- --data-dir DIR]
 * Ingests the four eval manuals through the real server (a child process, as `npm start`), asks every
 * question of eval/qa.json over HTTP searching all four manuals, and prints page hit@1,
 * hit@5, MRR and answer-term recall, overall, per manual and per kind. `--voice` asks the questions
 * aloud too (speech synthesised with eval/speak.sh, after the typed run) and adds word error rate.
 * `--gate` exits 1 when a figure is below the floors in bench/eval-floor.json (raise them, never lower).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evalDir, evalManualsDir, loadQa, repoRoot, type QaItem } from '../test/helpers/eval-manuals.js';
import { ApiClient } from './http-client.js';
import { firstHitRank, fmt, groupBy, summarise, termRecall, type EvalItemResult } from './eval-metrics.js';
import { startServerProcess } from './server-process.js';
import { wordErrorRate } from './wer.js';

const { values: args } = parseArgs({
  options: {
    gate: { type: 'boolean', default: false },
    voice: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

async function speak(item: QaItem): Promise<Buffer> {
  const dir = join(repoRoot, '.eval-cache', 'voice');
  mkdirSync(dir, { recursive: true });
  const wav = join(dir, `${item.id}.wav`);
  if (!existsSync(wav)) execFileSync('bash', [join(evalDir, 'speak.sh'), item.question, wav], { stdio: 'ignore' });
  return readFileSync(wav);
}

type Mode = 'typed' | 'voice';

async function runQuestions(api: ApiClient, qa: QaItem[], mode: Mode, ingestS: number) {
  const results: EvalItemResult[] = [];
  let werSum = 0;
  const latencies: number[] = [];
  for (const item of qa) {
    const t = Date.now();
    let res: any;
    if (mode === 'voice') {
      const form = new FormData();
      form.append('audio', new Blob([new Uint8Array(await speak(item))], { type: 'audio/wav' }), `${item.id}.wav`);
      res = await api.call('POST', '/api/query', form);
      werSum += wordErrorRate(item.question, res.transcription?.text ?? res.question ?? '');
    } else {
      res = await api.call('POST', '/api/query', { question: item.question });
    }
    latencies.push(Date.now() - t);
    results.push({
      id: item.id,
      manual: item.manual,
      kind: item.kind,
      firstHitRank: firstHitRank(res.sources ?? [], item.manual, item.pages),
      termRecall: termRecall(res.answer ?? '', item.answer_terms),
    });
  }
  latencies.sort((a, b) => a - b);
  return {
    mode,
    searched: 'all four manuals',
    overall: summarise(results),
    wer: mode === 'voice' ? werSum / qa.length : undefined,
    per_manual: groupBy(results, (r) => r.manual),
    per_kind: groupBy(results, (r) => r.kind),
    latency_ms: { p50: latencies[Math.floor(latencies.length * 0.5)], p95: latencies[Math.floor(latencies.length * 0.95)] },
    ingest_seconds: ingestS,
    misses: results.filter((r) => r.firstHitRank === 0 || r.firstHitRank > 5).map((r) => r.id),
  };
}

type Report = Awaited<ReturnType<typeof runQuestions>>;

function print(report: Report) {
  if (args.json) return console.log(JSON.stringify(report, null, 2));
  console.log(`eval (${report.mode}, searching all four manuals): ${fmt(report.overall)}${report.wer !== undefined ? ` WER=${report.wer.toFixed(3)}` : ''}`);
  for (const [k, m] of Object.entries(report.per_manual)) console.log(`  ${k.padEnd(28)} ${fmt(m)}`);
  for (const [k, m] of Object.entries(report.per_kind)) console.log(`  kind ${k.padEnd(23)} ${fmt(m)}`);
  console.log(`  latency p50=${report.latency_ms.p50} ms p95=${report.latency_ms.p95} ms; misses@5: ${report.misses.join(' ') || 'none'}`);
}

/** True when every figure is at or above its floor in bench/eval-floor.json. */
function gate(report: Report): boolean {
  const floors = JSON.parse(readFileSync(join(repoRoot, 'bench', 'eval-floor.json'), 'utf8'))[report.mode] as Record<string, number>;
  const overall = report.overall as unknown as Record<string, number>;
  const below = Object.entries(floors).filter(([k, v]) => overall[k]! < v);
  if (below.length) console.error(`eval gate (${report.mode}) FAILED: ${below.map(([k, v]) => `${k} ${overall[k]!.toFixed(3)} < floor ${v}`).join(', ')}`);
  else console.log(`eval gate (${report.mode}) passed (floors ${JSON.stringify(floors)})`);
  return below.length === 0;
}

async function main() {
  const manualsDir = evalManualsDir();
  const qa = loadQa();
  const dataDir = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'manuel-eval-'));
  const server = await startServerProcess({ MANUEL_DATA_DIR: dataDir, DailyQuotaLimit: '100000', MonthlyQuotaLimit: '1000000' });
  try {
    const api = new ApiClient(server.url);
    await api.signup(`eval-${Date.now()}@example.com`, 'eval-password-123');
    const names = [...new Set(qa.map((q) => q.manual))];
    const t0 = Date.now();
    const jobs = await Promise.all(names.map((n) => api.uploadPdf(join(manualsDir, n))));
    for (const j of jobs) await api.waitForJob(j.job_id, j.manual_id);
    const ingestS = (Date.now() - t0) / 1000;
    const manuals = (await api.call('GET', '/api/manuals')).manuals as { name: string; pages: number; chunks: number }[];
    console.error(`ingested ${manuals.length} manuals in ${ingestS.toFixed(1)} s: ${manuals.map((m) => `${m.name} ${m.pages}p/${m.chunks}c`).join(', ')}`);

    let failed = false;
    for (const mode of args.voice ? (['typed', 'voice'] as const) : (['typed'] as const)) {
      const report = await runQuestions(api, qa, mode, ingestS);
      print(report);
      if (args.gate && !gate(report)) failed = true;
    }
    if (failed) process.exitCode = 1;
  } finally {
    await server.stop();
    if (!args['data-dir']) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`eval: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
