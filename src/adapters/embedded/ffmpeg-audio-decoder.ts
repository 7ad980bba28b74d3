import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { errors } from '../../core/errors.js';
import type { AudioDecoder, DecodedAudio, DecodeOptions } from '../../core/ports/audio-decoder.js';
import { pcmToWav } from '../../core/voice/wav-format.js';

/** Containers browsers (MediaRecorder), phones and recorders produce, as file-type names them. */
const SUPPORTED = new Map<string, string>([
  ['wav', 'wav'], ['mp3', 'mp3'], ['m4a', 'm4a'], ['mp4', 'm4a'], ['aac', 'aac'], ['flac', 'flac'],
  ['webm', 'webm'], ['mkv', 'webm'], ['opus', 'ogg'], ['ogg', 'ogg'], ['oga', 'ogg'], ['amr', 'amr'],
  ['3gp', 'm4a'], ['caf', 'caf'], ['aif', 'aiff'], ['mov', 'm4a'],
]);

const SAMPLE_RATE = 16_000;

export interface FfmpegOptions {
  binary?: string;
  timeoutMs?: number;
  /** Where the temporary input file goes (default: the OS temp dir). */
  tmpDir?: string;
}

/**
 * Decodes with ffmpeg to 16 kHz mono s16. Input goes through a temporary file (MP4/M4A keep
 * their index at the end, which a pipe cannot seek to); the file is always removed. Output is
 * raw PCM on stdout, wrapped in a WAV header here, so no second temp file is needed.
 */
export class FfmpegAudioDecoder implements AudioDecoder {
  constructor(private readonly opts: FfmpegOptions = {}) {}

  async decode(audio: Buffer, options: DecodeOptions): Promise<DecodedAudio> {
    if (audio.length === 0) throw errors.invalidAudio('The audio is empty (0 bytes)');
    const type = await fileTypeFromBuffer(audio);
    const format = type ? SUPPORTED.get(type.ext) : undefined;
    if (!format) {
      const said = options.contentType ? ` (declared ${options.contentType})` : '';
      throw errors.unsupportedMedia(
        `Unsupported audio${said}: ${type ? `detected ${type.mime}` : 'not a recognised audio container'}; send WAV, MP3, M4A, FLAC, WebM/Opus or Ogg/Opus`,
      );
    }
    const dir = await mkdtemp(join(this.opts.tmpDir ?? tmpdir(), 'manuel-audio-'));
    try {
      const input = join(dir, `input.${format}`);
      await writeFile(input, audio);
      // Decode one second past the limit: enough to know it is too long, without decoding an hour.
      const pcm = await this.ffmpeg(['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', input, '-t', String(options.maxDurationS + 1),
        '-vn', '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 's16le', '-acodec', 'pcm_s16le', 'pipe:1']);
      const durationS = pcm.length / 2 / SAMPLE_RATE;
      if (durationS > options.maxDurationS) throw errors.audioTooLong(options.maxDurationS);
      return { wav: pcmToWav(pcm, SAMPLE_RATE), durationS, format };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private ffmpeg(args: string[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.binary ?? 'ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs ?? 30_000);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(errors.unavailable(`ffmpeg could not run: ${e.code === 'ENOENT' ? 'not installed' : e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (signal) return reject(errors.invalidAudio('Decoding the audio took too long'));
        if (code !== 0) {
          const reason = err.trim().split('\n').pop()?.replace(/^.*?input\.\w+: /, '') || `ffmpeg exited with ${code}`;
          return reject(errors.invalidAudio(`The audio could not be decoded: ${reason}`));
        }
        resolve(Buffer.concat(out));
      });
    });
  }
}
