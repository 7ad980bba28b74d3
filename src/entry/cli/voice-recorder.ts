import { spawn } from 'node:child_process';
import { CliError } from './cli-error.js';
import { SampleAligner, pcmToWav, rmsDbfs } from './level-meter.js';

export const SAMPLE_RATE = 16000;
/** Without -d, recording stops at silence; this caps it if the room never goes quiet. */
export const MAX_RECORDING_SECONDS = 60;

export interface RecordOptions {
  /** Fixed length in seconds; otherwise stop after 1.5 s of silence following speech. */
  durationS?: number;
  /** Called about 20 times a second with the loudness of the last slice and the seconds recorded. */
  onLevel?: (dbfs: number, seconds: number) => void;
}

export interface Recording {
  wav: Buffer;
  seconds: number;
  stoppedBy: 'silence' | 'duration' | 'user' | 'limit';
}

/** `rec` arguments: raw 16 kHz mono 16-bit PCM on stdout, so the meter can read the samples as they come. */
export function recArguments(durationS?: number): string[] {
  const format = ['-q', '-t', 'raw', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'];
  // silence: start at the first 0.1 s above 1 %, stop after 1.5 s below 1 %.
  const effects = durationS ? ['trim', '0', String(durationS)] : ['silence', '1', '0.1', '1%', '1', '1.5', '1%'];
  return [...format, ...effects];
}

/** Records from the default microphone with sox's `rec` (apt-get install sox). */
export function recordQuestion(options: RecordOptions = {}): Promise<Recording> {
  return new Promise((resolve, reject) => {
    const child = spawn('rec', recArguments(options.durationS), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const aligner = new SampleAligner();
    const sliceBytes = (SAMPLE_RATE / 20) * 2;
    let bytes = 0;
    let pending: Buffer = Buffer.alloc(0); // samples not yet measured by the meter
    let stderr = '';
    let stoppedBy: Recording['stoppedBy'] = options.durationS ? 'duration' : 'silence';

    const stop = (why: Recording['stoppedBy']) => {
      stoppedBy = why;
      child.kill('SIGINT'); // sox finishes the file cleanly on SIGINT
    };
    const limit = setTimeout(() => stop('limit'), (options.durationS ? options.durationS + 5 : MAX_RECORDING_SECONDS) * 1000);
    // Ctrl+C ends the recording, not the program: the question is sent with what was heard.
    const onSigint = () => stop('user');
    process.on('SIGINT', onSigint);
    const cleanup = () => {
      clearTimeout(limit);
      process.off('SIGINT', onSigint);
    };

    child.stdout.on('data', (chunk: Buffer) => {
      const pcm = aligner.push(chunk);
      chunks.push(pcm);
      bytes += pcm.length;
      pending = pending.length ? Buffer.concat([pending, pcm]) : pcm;
      let measured = bytes - pending.length;
      while (pending.length >= sliceBytes) {
        measured += sliceBytes;
        options.onLevel?.(rmsDbfs(pending.subarray(0, sliceBytes)), measured / 2 / SAMPLE_RATE);
        pending = pending.subarray(sliceBytes);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(e.code === 'ENOENT' ? new CliError('`rec` was not found: install sox (apt-get install sox) to record from the microphone') : new CliError(`Cannot start rec: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      cleanup();
      const pcm = Buffer.concat(chunks);
      if (pcm.length === 0) {
        const reason = lastFailure(stderr);
        if (reason || (code !== 0 && signal === null)) return reject(new CliError(`Recording failed: ${reason ?? `rec exited with code ${code}`}`));
        return reject(new CliError('No speech was heard: check the microphone and its input level'));
      }
      resolve({ wav: pcmToWav(pcm, SAMPLE_RATE), seconds: pcm.length / 2 / SAMPLE_RATE, stoppedBy });
    });
  });
}

function lastFailure(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const fail = lines.filter((l) => /FAIL|error/i.test(l) && !l.startsWith('ALSA lib')).pop();
  return fail?.replace(/^rec FAIL\s*/, '');
}
