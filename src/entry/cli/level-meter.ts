/** Loudness of 16-bit little-endian PCM, for the live meter while recording. */

export function rmsDbfs(pcm: Buffer): number {
  const n = Math.floor(pcm.length / 2);
  if (n === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = pcm.readInt16LE(i * 2);
    sum += s * s;
  }
  const rms = Math.sqrt(sum / n) / 32768;
  return rms > 0 ? 20 * Math.log10(rms) : -Infinity;
}

/** Speech sits around -30..-10 dBFS; below -60 is silence for a meter's purpose. */
const FLOOR_DB = -60;

export function renderMeter(db: number, seconds: number, width = 30): string {
  const level = Number.isFinite(db) ? Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB)) : 0;
  const filled = Math.round(level * width);
  const dbText = Number.isFinite(db) ? `${Math.round(db)} dB`.padStart(7) : '   -inf';
  return `Listening [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${dbText} ${seconds.toFixed(1).padStart(5)} s`;
}

/** Splits a byte stream into whole 16-bit samples, carrying an odd trailing byte to the next chunk. */
export class SampleAligner {
  private carry: Buffer | undefined;
  push(chunk: Buffer): Buffer {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const even = data.length - (data.length % 2);
    this.carry = even < data.length ? data.subarray(even) : undefined;
    return data.subarray(0, even);
  }
}

/** A 44-byte RIFF header + PCM: what the server's recogniser expects (16 kHz mono 16-bit). */
export function pcmToWav(pcm: Buffer, sampleRate = 16000, channels = 1): Buffer {
  const header = Buffer.alloc(44);
  const byteRate = sampleRate * channels * 2;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(byteRate, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
