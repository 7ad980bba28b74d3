/**
 * npm run bench: prints JSON figures for the closing note (never asserts on time).
 * - ingestion of the eval manuals through the real server: time to keyword-searchable, pages/s and
 *   chunks/s for text (extract + index) and for embeddings, separately;
 * - uncached query latency p50/p95 over HTTP and in-process;
 * - server RSS (current and peak);
 * - voice: transcription real-time factor and spoken-question end-to-end latency for 3-6 s questions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalDir, evalManualsDir, loadQa, repoRoot } from '../test/helpers/eval-manuals.js';
import { ApiClient } from './http-client.js';
import { startServerProcess } from './server-process.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(s.length * p))]! * 10) / 10 : null;
};
const rssMb = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? 0);
  return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_rss_mb: Math.round(kb('VmHWM') / 1024) };
};
const wavSeconds = (wav: Buffer) => (wav.length - 44) / 32000;

async function main() {
  const manualsDir = evalManualsDir();
  const qa = loadQa();
  const dataDir = mkdtempSync(join(tmpdir(), 'manuel-bench-'));
  const server = await startServerProcess({ MANUEL_DATA_DIR: dataDir, DailyQuotaLimit: '100000', MonthlyQuotaLimit: '1000000' });
  const out: Record<string, unknown> = { machine: { cores: (await import('node:os')).cpus().length, node: process.version } };
  try {
    const api = new ApiClient(server.url);
    await api.signup(`bench-${Date.now()}@example.com`, 'bench-password-123');

    // Ingestion, one manual at a time so the figures are per manual.
    const ingestion: Record<string, unknown>[] = [];
    for (const name of [...new Set(qa.map((q) => q.manual))]) {
      const t0 = performance.now();
      const up = await api.uploadPdf(join(manualsDir, name));
      let searchableMs: number | null = null;
      for (;;) {
        const m = await api.call('GET', `/api/manuals/${up.manual_id}`);
        if (searchableMs === null && m.chunks > 0) searchableMs = performance.now() - t0;
        if (m.status === 'completed' || m.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const totalMs = performance.now() - t0;
      const job = await api.call('GET', `/api/ingestion/status?job_id=${up.job_id}`);
      const st = job.statistics ?? {};
      const textMs = (st.extract_ms ?? 0) + (st.index_ms ?? 0);
      ingestion.push({
        manual: name,
        pages: st.pages,
        chunks: st.chunks,
        keyword_searchable_after_s: searchableMs === null ? null : +(searchableMs / 1000).toFixed(2),
        fully_embedded_after_s: +(totalMs / 1000).toFixed(2),
        text_pages_per_s: textMs ? +((st.pages * 1000) / textMs).toFixed(1) : null,
        text_chunks_per_s: textMs ? +((st.chunks * 1000) / textMs).toFixed(1) : null,
        embed_chunks_per_s: st.embed_ms ? +(((st.embedded_chunks ?? st.chunks) * 1000) / st.embed_ms).toFixed(1) : null,
        statistics: st,
      });
    }
    out.ingestion = ingestion;
    out.server_after_ingestion = rssMb(server.child.pid!);

    // Uncached query latency over HTTP: every question is distinct, so every answer is a cache miss.
    const http: number[] = [];
    for (const item of qa) {
      const t = performance.now();
      const r = await api.call('POST', '/api/query', { question: item.question });
      if (r.cache_status === 'hit') continue;
      http.push(performance.now() - t);
    }
    out.query_http_ms = { n: http.length, p50: pct(http, 0.5), p95: pct(http, 0.95) };

    // Voice: 3-6 s questions (the shortest eval questions, spoken by flite).
    const voiceDir = join(repoRoot, '.eval-cache', 'voice');
    mkdirSync(voiceDir, { recursive: true });
    const spoken = qa
      .map((item) => {
        const wav = join(voiceDir, `${item.id}.wav`);
        if (!existsSync(wav)) execFileSync('bash', [join(evalDir, 'speak.sh'), item.question, wav], { stdio: 'ignore' });
        return { item, wav: readFileSync(wav) };
      })
      .filter((s) => wavSeconds(s.wav) >= 3 && wavSeconds(s.wav) <= 6.5);
    const rtf: number[] = [];
    const e2e: number[] = [];
    for (const s of spoken) {
      const form = () => {
        const f = new FormData();
        f.append('audio', new Blob([new Uint8Array(s.wav)], { type: 'audio/wav' }), 'q.wav');
        return f;
      };
      let t = performance.now();
      await api.call('POST', '/api/transcribe', form());
      rtf.push((performance.now() - t) / 1000 / wavSeconds(s.wav));
      t = performance.now();
      await api.call('POST', '/api/query', form());
      e2e.push(performance.now() - t);
    }
    out.voice = {
      questions: spoken.length,
      audio_seconds: spoken.map((s) => +wavSeconds(s.wav).toFixed(1)),
      transcribe_real_time_factor: { p50: pct(rtf, 0.5), p95: pct(rtf, 0.95) },
      spoken_query_end_to_end_ms: { p50: pct(e2e, 0.5), p95: pct(e2e, 0.95) },
    };
    out.server_after_queries = rssMb(server.child.pid!);
    // Idle: extra embedding workers stop and used ones are replaced by fresh ones after 20 s.
    await new Promise((r) => setTimeout(r, 25_000));
    out.server_idle_after_25s = rssMb(server.child.pid!);
  } finally {
    await server.stop();
  }

  // In-process latency on the same data (the server has stopped; the database is reused).
  const { loadEmbeddedConfig } = await import('../src/config/config.js');
  const { createEmbedded } = await import('../src/wiring/embedded.js');
  const { askQuestion } = await import('../src/core/ask/ask-question.js');
  const app = await createEmbedded(loadEmbeddedConfig({ MANUEL_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { worker: { start: false }, transcriber: null });
  try {
    const { visibleOwners } = await import('../src/core/model/visibility.js');
    const user = app.db.prepare('SELECT id FROM users LIMIT 1').get() as { id: string };
    const visible = visibleOwners(user.id);
    const inproc: number[] = [];
    for (const item of qa) {
      const t = performance.now();
      await askQuestion(app, { question: item.question, owners: visible, limit: 5 });
      inproc.push(performance.now() - t);
    }
    out.query_in_process_ms = { n: inproc.length, p50: pct(inproc, 0.5), p95: pct(inproc, 0.95) };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The aws shape: each Lambda function's bundle size and cold import time.
  out.lambda_bundles = await (await import('./lambda-bundles.js')).measureLambdaBundles();
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
});
