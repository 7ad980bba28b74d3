import { openAsBlob } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { QueryResponse } from '../api-types.js';
import { contextOf, type CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatSources } from '../format.js';
import { renderMeter } from '../level-meter.js';
import { recordQuestion } from '../voice-recorder.js';

const AUDIO_TYPES: Record<string, string> = {
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.flac': 'audio/flac',
  '.webm': 'audio/webm',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
};

interface AskOptions {
  manual: string[];
  audio?: string;
  voice?: boolean;
  duration?: number;
}

const collect = (value: string, previous: string[]) => [...previous, value];
const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError('seconds between 0 and 600');
  return n;
};

export function askCommand(): Command {
  return new Command('ask')
    .description('ask a question (typed, --audio FILE or --voice) and get the answer with its pages')
    .argument('[question...]', 'the question, e.g. "how do I reset the device?"')
    .option('-m, --manual <id>', 'only search this manual (repeatable)', collect, [])
    .option('--audio <file>', 'a recorded question (wav, mp3, m4a, flac, webm, ogg)')
    .option('--voice', 'record the question from the microphone (sox `rec`) until silence')
    .option('-d, --duration <seconds>', 'with --voice: record exactly this long', seconds)
    .action(async (words: string[], opts: AskOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const question = words.join(' ').trim();
      const modes = [question ? 1 : 0, opts.audio ? 1 : 0, opts.voice ? 1 : 0].reduce((a, b) => a + b, 0);
      if (modes !== 1) throw new CliError('Give a question, or --audio FILE, or --voice (one of them)', 2);
      if (opts.duration && !opts.voice) throw new CliError('--duration applies to --voice', 2);

      let res: QueryResponse;
      if (question) {
        res = await ctx.api.request<QueryResponse>('POST', '/api/query', {
          json: { question, include_sources: true, ...(opts.manual.length ? { manual_ids: opts.manual } : {}) },
        });
      } else if (opts.audio) {
        const path = resolve(opts.audio);
        const type = AUDIO_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
        let blob: Blob;
        try {
          blob = await openAsBlob(path, { type });
        } catch (e) {
          throw new CliError(`Cannot read ${opts.audio}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
        }
        res = await askAudio(ctx, blob, basename(path), opts.manual);
      } else {
        const recording = await record(ctx, opts.duration);
        res = await askAudio(ctx, new Blob([new Uint8Array(recording)], { type: 'audio/wav' }), 'question.wav', opts.manual);
      }
      ctx.print(answerLines(res, !question), res);
    });
}

async function askAudio(ctx: CliContext, audio: Blob, fileName: string, manualIds: string[]): Promise<QueryResponse> {
  const form = new FormData();
  form.append('audio', audio, fileName);
  for (const id of manualIds) form.append('manual_ids', id);
  return ctx.api.request<QueryResponse>('POST', '/api/query', { form });
}

async function record(ctx: CliContext, durationS: number | undefined): Promise<Buffer> {
  const live = Boolean(process.stderr.isTTY);
  ctx.note(durationS ? `Recording for ${durationS} s... (Ctrl+C to stop)` : 'Recording: ask your question; it stops after 1.5 s of silence (Ctrl+C to stop)');
  let last = 0;
  const recording = await recordQuestion({
    durationS,
    onLevel: (db, s) => {
      if (!live || Date.now() - last < 50) return;
      last = Date.now();
      process.stderr.write(`\r${renderMeter(db, s)}`);
    },
  });
  if (live) process.stderr.write('\r\x1b[2K');
  ctx.note(`Recorded ${recording.seconds.toFixed(1)} s${recording.stoppedBy === 'limit' ? ' (time limit reached)' : ''}; asking...`);
  return recording.wav;
}

function answerLines(res: QueryResponse, spoken: boolean): string[] {
  const lines: string[] = [];
  if (spoken) lines.push(`You said: ${res.transcription?.text ?? res.question}`, '');
  lines.push(res.answer ?? '');
  if (res.answer_source === 'extractive-fallback') lines.push('', "(The answer model did not respond: this answer quotes the manual's passage directly.)");
  const sources = formatSources(res.sources ?? []);
  if (sources.length) lines.push('', 'Sources:', ...sources);
  return lines;
}
