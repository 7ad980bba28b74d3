/**
 * npm run bench:memory — peak memory of the server (`node dist/src/entry/server.js`, as `npm start`,
 * embeddings on) while it ingests the four eval manuals, then while it builds a speech model for them.
 * Prints JSON. Memory is sampled every 25 ms over the server process (its worker threads share it)
 * and every process it spawned (pocketsphinx, flite, espeak-ng, ...), as PSS so that pages a child
 * shares with the server count once; `peak_pss_mb` is the largest sum seen, `at_peak_mb` its parts,
 * `main_peak_rss_mb` the kernel's high-water mark (VmHWM) of the server process alone during that
 * phase (reset through /proc/<pid>/clear_refs): the figure the 660/878 MB were.
 * Figures on a machine shared with other work are noisy; run it twice when the difference is small.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalDir, evalManualsDir, loadQa, repoRoot } from '../test/helpers/eval-manuals.js';
import { spawnServer } from '../test/helpers/server-processes.js';
import { ApiClient } from './http-client.js';

/** Resident and proportional set sizes (kB): PSS splits pages shared with other processes (a child
 * forked from the server before it executes its program shows the server's pages as its RSS). */
const sizes = (pid: number): { rss: number; pss: number } => {
  try {
    const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const get = (k: string) => Number(t.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? 0);
    return { rss: get('Rss'), pss: get('Pss') };
  } catch {
    return { rss: 0, pss: 0 };
  }
};

const kb = (pid: number, key: string): number => {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${key}:\\s+(\\d+)`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
};

/** CPU seconds the process has used, all its threads (utime + stime of /proc/<pid>/stat). */
const cpuSeconds = (pid: number): number => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15, in clock ticks (100 Hz)
  } catch {
    return 0;
  }
};

/** Resets the kernel's peak RSS (VmHWM) of the process, so a phase's peak is its own; false when not allowed. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

const comm = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return 'gone';
  }
};

/** The process and all its descendants. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${out[i]}/task/${t}/children`, 'utf8').trim().split(/\s+/)) if (c) out.push(Number(c));
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

/** Samples the tree's total RSS until stopped; reports the peak and the mean, in MB. */
function sampler(pid: number, everyMs = 25) {
  let peak = 0;
  let peakChildren = 0;
  let atPeak: Record<string, number> = {};
  let sum = 0;
  let n = 0;
  const mb = (k: number) => Math.round(k / 1024);
  const timer = setInterval(() => {
    const tree = processTree(pid).map((p) => ({ p, rss: sizes(p).pss }));
    const total = tree.reduce((a, t) => a + t.rss, 0);
    const children = total - tree[0]!.rss;
    if (total > peak) {
      peak = total;
      // What made the peak: the server, and each child by its command name.
      atPeak = {};
      tree.forEach((t, i) => {
        const name = i === 0 ? 'server' : comm(t.p);
        atPeak[name] = (atPeak[name] ?? 0) + mb(t.rss);
      });
    }
    peakChildren = Math.max(peakChildren, children);
    sum += total;
    n++;
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { peak_pss_mb: mb(peak), at_peak_mb: atPeak, mean_pss_mb: mb(n ? sum / n : 0), peak_child_processes_pss_mb: mb(peakChildren), samples: n };
    },
  };
}

async function main() {
  const manualsDir = evalManualsDir();
  const qa = loadQa();
  const dataDir = mkdtempSync(join(tmpdir(), 'manuel-bench-mem-'));
  // The environment `npm start` gives the server (package.json), unless this shell sets it otherwise.
  const malloc = { MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072' };
  const server = await spawnServer({ MANUEL_DATA_DIR: dataDir, DailyQuotaLimit: '100000', MonthlyQuotaLimit: '1000000', ...malloc }, { keywordOnly: false });
  const pid = server.child.pid!;
  const out: Record<string, unknown> = {
    machine: { cores: cpus().length, node: process.version, load_avg_1m: +(await import('node:os')).loadavg()[0]!.toFixed(2) },
    env: { ...malloc, EmbeddingWorkers: process.env.EmbeddingWorkers ?? 'default' },
  };
  try {
    const api = new ApiClient(server.url);
    await api.signup(`bench-mem-${Date.now()}@example.com`, 'bench-password-123');
    out.server_started = { rss_mb: Math.round(kb(pid, 'VmRSS') / 1024) };

    // Ingestion: the four manuals submitted at once (the worker takes them one at a time).
    const manuals = [...new Set(qa.map((q) => q.manual))];
    resetPeak(pid);
    let s = sampler(pid);
    const t0 = performance.now();
    const cpu0 = cpuSeconds(pid);
    const jobs = [];
    for (const name of manuals) jobs.push({ name, ...(await api.uploadPdf(join(manualsDir, name))) });
    const per: Record<string, unknown>[] = [];
    let chunks = 0;
    let embedMs = 0;
    for (const j of jobs) {
      const done = await api.waitForJob(j.job_id, j.manual_id);
      const st = done.statistics ?? {};
      chunks += st.embedded_chunks ?? 0;
      embedMs += st.embed_ms ?? 0;
      per.push({ manual: j.name, pages: st.pages, chunks: st.chunks, extract_ms: st.extract_ms, embed_ms: st.embed_ms, embed_chunks_per_s: st.embed_ms ? +((st.embedded_chunks * 1000) / st.embed_ms).toFixed(1) : null });
    }
    out.ingestion = {
      ...s.stop(),
      main_peak_rss_mb: Math.round(kb(pid, 'VmHWM') / 1024),
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      embed_chunks_per_s: embedMs ? +((chunks * 1000) / embedMs).toFixed(1) : null,
      // Less sensitive to other work on the machine than chunks/s: the server's CPU per embedded chunk.
      server_cpu_s: +(cpuSeconds(pid) - cpu0).toFixed(1),
      server_cpu_ms_per_chunk: chunks ? Math.round(((cpuSeconds(pid) - cpu0) * 1000) / chunks) : null,
      extract_ms_total: per.reduce((a, p) => a + Number(p.extract_ms ?? 0), 0),
      manuals: per,
    };

    // Speech model: the first spoken question over these manuals builds their biased model.
    // Measured after the embedding workers' idle recycling (20 s), so the build's own cost shows.
    await new Promise((r) => setTimeout(r, 25_000));
    out.idle_after_ingestion = { rss_mb: Math.round(kb(pid, 'VmRSS') / 1024) };
    const voiceDir = join(repoRoot, '.eval-cache', 'voice');
    mkdirSync(voiceDir, { recursive: true });
    const item = qa[0]!;
    const wav = join(voiceDir, `${item.id}.wav`);
    if (!existsSync(wav)) execFileSync('bash', [join(evalDir, 'speak.sh'), item.question, wav], { stdio: 'ignore' });
    const form = new FormData();
    form.append('audio', new Blob([new Uint8Array(readFileSync(wav))], { type: 'audio/wav' }), 'q.wav');
    const reset = resetPeak(pid);
    s = sampler(pid);
    const t1 = performance.now();
    const r = await api.call('POST', '/api/transcribe', form);
    out.speech_model_build = {
      ...s.stop(),
      main_peak_rss_mb: reset ? Math.round(kb(pid, 'VmHWM') / 1024) : null,
      seconds: +((performance.now() - t1) / 1000).toFixed(1),
      transcription: r.transcription,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out, null, 2));
}

main().catch((e) => {
  console.error(`bench:memory: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
});
