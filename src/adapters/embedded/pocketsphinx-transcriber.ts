import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../../core/errors.js';
import type { TranscribeOptions, Transcriber, Transcript } from '../../core/ports/transcriber.js';
import { BiasedModelBuilder } from './sphinx-biased-model.js';

export interface PocketsphinxOptions {
  /** pocketsphinx-en-us model folder. */
  modelDir?: string;
  /** Where per-vocabulary models are cached (e.g. `<dataDir>/cache/sphinx`). */
  cacheDir?: string;
  /** false = always the stock generic model (for measuring what biasing buys). */
  bias?: boolean;
  binary?: string;
  /** Default: 30 s + 2 s per second of audio. */
  timeoutMs?: number;
  /** Where the temporary WAV goes (default: the OS temp dir). */
  tmpDir?: string;
  /** Tuning knobs of the biased model (see BiasedModelOptions) and extra decoder flags. */
  genericWords?: number;
  genericWeight?: number;
  decoderArgs?: string[];
}

export const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** One word of pocketsphinx's `-time yes` output: `word start end posterior`. */
const SEGMENT = /^(\S+) (\d+\.\d+) (\d+\.\d+) (\d+(?:\.\d+)?(?:e-?\d+)?)$/;

/**
 * Local speech recognition with Debian's pocketsphinx (one process per request; the biased
 * models are small, so loading them costs a few hundred ms). With hints, it decodes with a
 * model biased toward those words (see BiasedModelBuilder); without, the stock generic model.
 */
export class PocketsphinxTranscriber implements Transcriber {
  private readonly modelDir: string;
  private readonly builder: BiasedModelBuilder | null;

  constructor(private readonly opts: PocketsphinxOptions = {}) {
    this.modelDir = opts.modelDir ?? DEFAULT_MODEL_DIR;
    this.builder =
      opts.bias === false
        ? null
        : new BiasedModelBuilder({
            modelDir: this.modelDir,
            cacheDir: opts.cacheDir ?? join(tmpdir(), 'manuel-sphinx-cache'),
            genericWords: opts.genericWords,
            genericWeight: opts.genericWeight,
          });
  }

  /** Builds (or finds cached) the biased model ahead of the first question. */
  async warm(hints: string[], corpus: string[] = []): Promise<void> {
    if (this.builder && hints.length + corpus.length > 0) await this.builder.model(hints, corpus);
  }

  async transcribe(wav: Buffer, options: TranscribeOptions = {}): Promise<Transcript> {
    const hints = options.hints ?? [];
    const corpus = options.corpus ?? [];
    const flags = new Map<string, string>([['-hmm', join(this.modelDir, 'en-us')], ['-time', 'yes'], ['-logfn', '/dev/null']]);
    if (this.builder && hints.length + corpus.length > 0) {
      const model = await this.builder.model(hints, corpus, options.context);
      // Measured on the eval questions (20 of 60): language weight 7.5 and phone look-ahead cut
      // CPU by a quarter at equal word error rate; above 8.5 errors climb steeply.
      for (const [k, v] of [['-lm', model.lm], ['-dict', model.dict], ['-lw', '7.5'], ['-pl_window', '10']]) flags.set(k!, v!);
    } else {
      flags.set('-lm', join(this.modelDir, 'en-us.lm.bin')).set('-dict', join(this.modelDir, 'cmudict-en-us.dict'));
    }
    // pocketsphinx refuses a repeated flag, so tuning experiments replace defaults here.
    const extra = this.opts.decoderArgs ?? [];
    for (let i = 0; i + 1 < extra.length; i += 2) flags.set(extra[i]!, extra[i + 1]!);
    const args = [...flags].flat();
    const dir = await mkdtemp(join(this.opts.tmpDir ?? tmpdir(), 'manuel-asr-'));
    try {
      const file = join(dir, 'audio.wav');
      await writeFile(file, wav);
      // Recognition runs at ~0.2-0.8 x real time here: allow for a long recording on a busy machine.
      const stdout = await this.run([...args, '-infile', file], this.opts.timeoutMs ?? Math.ceil(30_000 + wavDurationS(wav) * 2_000));
      return { ...parseSphinxOutput(stdout), durationS: wavDurationS(wav), engine: 'pocketsphinx' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private run(args: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(this.opts.binary ?? 'pocketsphinx_continuous', args, { timeout: Math.ceil(timeoutMs), maxBuffer: 4 << 20 }, (err, stdout) => {
        if (err) reject(errors.unavailable(`pocketsphinx failed: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed' : err.message.split('\n')[0]}`));
        else resolve(stdout);
      });
    });
  }
}

/** Text and mean word posterior from `-time yes` output (fillers and silences dropped). */
export function parseSphinxOutput(stdout: string): { text: string; confidence: number } {
  const words: string[] = [];
  const probs: number[] = [];
  for (const line of stdout.split('\n')) {
    const m = SEGMENT.exec(line.trim());
    if (!m) continue;
    const word = m[1]!.replace(/\(\d+\)$/, '');
    if (word.startsWith('<') || word.startsWith('[') || word.startsWith('++')) continue;
    words.push(word);
    probs.push(Math.min(1, Math.max(0, Number(m[4]))));
  }
  const confidence = probs.length ? probs.reduce((a, b) => a + b, 0) / probs.length : 0;
  return { text: words.join(' '), confidence: Math.round(confidence * 1000) / 1000 };
}

/** Duration of a 16-bit PCM WAV from its header (data bytes / byte rate). */
export function wavDurationS(wav: Buffer): number {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF') return 0;
  const byteRate = wav.readUInt32LE(28) || 32000;
  let off = 12;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    const size = wav.readUInt32LE(off + 4);
    if (id === 'data') return Math.min(size, wav.length - off - 8) / byteRate;
    off += 8 + size + (size % 2);
  }
  return 0;
}
