/**
 * node dist/bench/eval-voice.js [--voice flite|espeak] [--set dev|unseen|heldout-2|heldout-3] [--keyword-only] [--skip-plain] [--no-corpus] [--limit N] [--hints N]
 *
 * --voice picks eval/speak.sh's voice (flite awb by default, or espeak-ng); --set the question set
 * (dev: eval/qa.json, tuned on; unseen: eval/unseen, tuning data since issue 11 session 6; heldout-2 and
 * heldout-3: never tuned on, only ever scored). Audio is cached per
 * voice and set: flite/dev at .eval-cache/voice/<id>.wav (the path `npm run eval -- --voice` uses),
 * the others at .eval-cache/voice/<voice>/<set>/<id>.wav.
 * The biased transcript is scored twice: as heard ("raw") and after the transcript rewrites
 * (spoken numbers, vocabulary sound-alikes; what the product uses).
 * Asks the eval set's 60 questions aloud (flite via eval/speak.sh, cached in
 * .eval-cache/voice/) against the four eval manuals indexed in-process (all four searched, one
 * owner), and prints:
 * - word error rate of the stock pocketsphinx model ("plain") vs the model biased toward the
 *   manuals' vocabulary ("biased", what the product uses);
 * - page hit@1 / hit@5 for typed questions, plain transcripts and biased transcripts;
 * - real-time factor and per-question latency (decode + recognise + retrieve) p50/p95.
 * Plain transcripts never change, so they are cached next to the audio.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FfmpegAudioDecoder } from '../src/adapters/embedded/ffmpeg-audio-decoder.js';
import { LocalEmbedder } from '../src/adapters/embedded/local-embedder.js';
import { PocketsphinxTranscriber } from '../src/adapters/embedded/pocketsphinx-transcriber.js';
import { openDatabase } from '../src/adapters/embedded/sqlite-db.js';
import { SqliteKnowledgeBase } from '../src/adapters/embedded/sqlite-knowledge-base.js';
import { SqliteRecognitionCorpus } from '../src/adapters/embedded/sqlite-recognition-corpus.js';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { parseParameters } from '../src/config/parameters.js';
import { retrieve } from '../src/core/ask/retrieve.js';
import { chunkPages, embeddingText } from '../src/core/ingest/chunker.js';
import type { Embedder } from '../src/core/ports/embedder.js';
import { transcribeAudio } from '../src/core/voice/transcribe-audio.js';
import { RecognitionHints } from '../src/core/voice/recognition-hints.js';
import { evalDir, evalManualsDir, loadQa, repoRoot, separateSets, type QaItem } from '../test/helpers/eval-manuals.js';
import { wordErrorRate } from './wer.js';

const { values: args } = parseArgs({
  options: {
    'keyword-only': { type: 'boolean', default: false },
    'skip-plain': { type: 'boolean', default: false },
    limit: { type: 'string' },
    hints: { type: 'string', default: '1500' },
    'no-corpus': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    voice: { type: 'string', default: 'flite' },
    set: { type: 'string', default: 'dev' },
  },
});
if (!['flite', 'espeak'].includes(args.voice!)) throw new Error('--voice must be flite or espeak');
const SETS = ['dev', ...separateSets] as const;
if (!(SETS as readonly string[]).includes(args.set!)) throw new Error(`--set must be one of ${SETS.join(', ')}`);
const set = args.set as (typeof SETS)[number];

const OWNER = 'eval-user';
const voiceDir = args.voice === 'flite' && set === 'dev' ? join(repoRoot, '.eval-cache', 'voice') : join(repoRoot, '.eval-cache', 'voice', args.voice!, set);

function speak(item: QaItem): Buffer {
  mkdirSync(voiceDir, { recursive: true });
  const wav = join(voiceDir, `${item.id}.wav`);
  if (!existsSync(wav)) execFileSync('bash', [join(evalDir, 'speak.sh'), item.question, wav, args.voice!], { stdio: 'ignore' });
  return readFileSync(wav);
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
};

async function index(kb: SqliteKnowledgeBase, embedder: Embedder | null, names: string[]) {
  const reader = new UnpdfPdfReader();
  for (const name of names) {
    const { pages } = await reader.read(readFileSync(join(evalManualsDir(set), name)));
    const chunks = chunkPages(pages, { manualId: name, ownerId: OWNER });
    await kb.indexChunks(name, OWNER, name, chunks);
    if (embedder) {
      const vectors = await embedder.embed(chunks.map(embeddingText));
      await kb.putVectors(chunks.map((c, i) => ({ chunkId: c.id, vector: vectors[i]! })));
    }
  }
}

async function main() {
  const qa = loadQa(set).slice(0, args.limit ? Number(args.limit) : undefined);
  const tmp = mkdtempSync(join(tmpdir(), 'manuel-eval-voice-'));
  const embedder = args['keyword-only'] ? null : await LocalEmbedder.create({ workers: 2 });
  try {
    const db = openDatabase(join(tmp, 'manuel.db'));
    const kb = new SqliteKnowledgeBase(db);
    let t = Date.now();
    await index(kb, embedder, [...new Set(qa.map((q) => q.manual))]);
    console.error(`indexed in ${((Date.now() - t) / 1000).toFixed(1)} s${embedder ? ' (with vectors)' : ' (keyword only)'}`);

    const parameters = parseParameters({});
    const decoder = new FfmpegAudioDecoder();
    const biased = new PocketsphinxTranscriber({ cacheDir: join(tmp, 'sphinx') });
    const plain = new PocketsphinxTranscriber({ bias: false });
    const corpus = args['no-corpus'] ? undefined : new SqliteRecognitionCorpus(db);
    const hints = new RecognitionHints({ kb, corpus }, { terms: Number(args.hints) });
    t = Date.now();
    const h = await hints.for([OWNER]);
    await biased.warm(h.hints, h.corpus);
    console.error(`biased model built in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const pagesOf = async (question: string) =>
      (await retrieve({ kb, embedder }, { question, owners: [OWNER], limit: 5 })).map((h) => `${h.chunk.manualId}#${h.chunk.pageNumber}`);
    const rank = (item: QaItem, pages: string[]) => pages.findIndex((p) => item.pages.some((n) => p === `${item.manual}#${n}`));
    const score = { typed: [0, 0], plain: [0, 0], raw: [0, 0], biased: [0, 0] } as Record<string, [number, number]>;
    const add = (k: string, r: number) => {
      if (r === 0) score[k]![0]++;
      if (r >= 0) score[k]![1]++;
    };
    let werPlain = 0;
    let werBiased = 0;
    let werRaw = 0;
    let rewritten = 0;
    const latency: number[] = [];
    const shortLatency: number[] = []; // 3-6 s questions, the latency target's range
    const rtf: number[] = [];
    for (const item of qa) {
      const audio = speak(item);
      add('typed', rank(item, await pagesOf(item.question)));

      if (!args['skip-plain']) {
        const cached = join(voiceDir, `${item.id}.plain.txt`);
        if (!existsSync(cached)) writeFileSync(cached, (await plain.transcribe(audio)).text);
        const text = readFileSync(cached, 'utf8');
        werPlain += wordErrorRate(item.question, text);
        add('plain', rank(item, await pagesOf(text)));
      }

      const t0 = Date.now();
      const heard = await transcribeAudio({ decoder, transcriber: biased, kb, parameters, hints }, { audio, contentType: 'audio/wav', owners: [OWNER] });
      const recognisedMs = Date.now() - t0;
      const pages = await pagesOf(heard.text);
      latency.push(Date.now() - t0);
      if (heard.durationS >= 3 && heard.durationS <= 6) shortLatency.push(Date.now() - t0);
      rtf.push(recognisedMs / 1000 / heard.durationS);
      const w = wordErrorRate(item.question, heard.text);
      werBiased += w;
      add('biased', rank(item, pages));
      const raw = heard.heard ?? heard.text;
      werRaw += wordErrorRate(item.question, raw);
      add('raw', raw === heard.text ? rank(item, pages) : rank(item, await pagesOf(raw)));
      if (raw !== heard.text) {
        rewritten++;
        console.error(`  heard: ${raw}`);
      }
      console.error(`${item.id} ${heard.durationS.toFixed(1)}s ${Date.now() - t0}ms wer=${w.toFixed(2)} ${rank(item, pages)} | ${heard.text}`);
    }
    const n = qa.length;
    const line = (k: string) => `hit@1=${((100 * score[k]![0]) / n).toFixed(1)}% hit@5=${((100 * score[k]![1]) / n).toFixed(1)}%`;
    const report = {
      questions: n,
      retrieval: embedder ? 'hybrid' : 'keyword',
      typed: line('typed'),
      plain: args['skip-plain'] ? null : `${line('plain')} WER=${(werPlain / n).toFixed(3)}`,
      voice: args.voice,
      set,
      raw: `${line('raw')} WER=${(werRaw / n).toFixed(3)}`,
      biased: `${line('biased')} WER=${(werBiased / n).toFixed(3)}`,
      rewritten,
      real_time_factor: { p50: pct(rtf, 0.5).toFixed(2), p95: pct(rtf, 0.95).toFixed(2) },
      latency_ms: { p50: pct(latency, 0.5), p95: pct(latency, 0.95) },
      latency_3_6s_ms: { n: shortLatency.length, p50: pct(shortLatency, 0.5), p95: pct(shortLatency, 0.95) },
    };
    if (args.json) console.log(JSON.stringify(report));
    else {
      console.log(`eval-voice: ${n} spoken questions (${set} set, ${args.voice} voice), all the set's manuals searched (${report.retrieval} retrieval)`);
      console.log(`  typed            ${report.typed}`);
      if (report.plain) console.log(`  spoken, plain    ${report.plain}`);
      console.log(`  spoken, biased, as heard      ${report.raw}`);
      console.log(`  spoken, biased, rewritten     ${report.biased} (${rewritten} transcripts changed)`);
      console.log(`  machine load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (latency is wall clock)`);
      console.log(`  recognition RTF p50=${report.real_time_factor.p50} p95=${report.real_time_factor.p95}; spoken question -> pages latency p50=${report.latency_ms.p50} ms p95=${report.latency_ms.p95} ms`);
      const s = report.latency_3_6s_ms;
      console.log(`  3-6 s questions (${s.n}): latency p50=${s.p50} ms p95=${s.p95} ms`);
    }
  } finally {
    await embedder?.close?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
