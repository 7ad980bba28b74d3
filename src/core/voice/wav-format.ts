/** Minimal PCM WAV helpers (16-bit mono), shared by the decoder, the use case and tests. */

export function pcmToWav(pcm: Buffer, sampleRate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28); // byte rate
  h.writeUInt16LE(2, 32); // block align
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/** The samples of a 16-bit PCM WAV (the data chunk, wherever it is). */
export function wavSamples(wav: Buffer): Int16Array {
  if (wav.length < 12 || wav.toString('ascii', 0, 4) !== 'RIFF') return new Int16Array(0);
  let off = 12;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    const size = wav.readUInt32LE(off + 4);
    if (id === 'data') {
      const bytes = Math.min(size, wav.length - off - 8) & ~1;
      const copy = Buffer.from(wav.subarray(off + 8, off + 8 + bytes));
      return new Int16Array(copy.buffer, copy.byteOffset, bytes / 2);
    }
    off += 8 + size + (size % 2);
  }
  return new Int16Array(0);
}

export interface AudioLevel {
  rmsDbfs: number;
  peakDbfs: number;
  /** Share of 30 ms frames louder than the speech threshold. */
  activeShare: number;
}

const dbfs = (x: number) => (x <= 0 ? -120 : 20 * Math.log10(x / 32768));

/** Loudness figures used to tell silence (or near-silence) from speech before recognition. */
export function measureLevel(samples: Int16Array, sampleRate = 16_000): AudioLevel {
  if (samples.length === 0) return { rmsDbfs: -120, peakDbfs: -120, activeShare: 0 };
  let sum = 0;
  let peak = 0;
  const frame = Math.max(1, Math.round(sampleRate * 0.03));
  let frames = 0;
  let active = 0;
  for (let i = 0; i < samples.length; i += frame) {
    let fs = 0;
    const end = Math.min(samples.length, i + frame);
    for (let j = i; j < end; j++) {
      const s = samples[j]!;
      fs += s * s;
      if (Math.abs(s) > peak) peak = Math.abs(s);
    }
    sum += fs;
    frames++;
    if (dbfs(Math.sqrt(fs / (end - i))) > -45) active++;
  }
  return { rmsDbfs: dbfs(Math.sqrt(sum / samples.length)), peakDbfs: dbfs(peak), activeShare: active / frames };
}

/** No frame above -45 dBFS for at least ~0.1 s in total, or a peak too low to be a voice. */
export function isSilent(level: AudioLevel, durationS: number): boolean {
  return level.peakDbfs < -40 || level.activeShare * durationS < 0.1;
}
