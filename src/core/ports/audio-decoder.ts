export interface DecodeOptions {
  /** What the client said the audio is; the bytes decide, this only helps the error message. */
  contentType?: string | null;
  /** Longer audio is refused (audio_too_long) without decoding all of it. */
  maxDurationS: number;
}

export interface DecodedAudio {
  /** 16 kHz mono 16-bit PCM WAV (44-byte header). */
  wav: Buffer;
  durationS: number;
  /** Container sniffed from the bytes: wav, mp3, m4a, flac, webm, ogg, ... */
  format: string;
}

/**
 * Any audio a browser, phone or recorder produces -> normalised WAV. Throws ManuelError
 * unsupported_media_type (not audio / unknown container), invalid_audio (corrupt),
 * audio_too_long.
 */
export interface AudioDecoder {
  decode(audio: Buffer, options: DecodeOptions): Promise<DecodedAudio>;
}
