export interface Transcript {
  text: string;
  confidence: number; // 0..1
  durationS: number;
  engine: string;
}

export interface TranscribeOptions {
  /** Words and phrases likely in the question (e.g. the vocabulary of the user's manuals). */
  hints?: string[];
  /** Text of the caller's manuals, for recognisers that can bias a language model with it. */
  corpus?: string[];
  /** Whose manuals the hints describe (stable id): a recogniser may keep using what it built for
   * this context while it prepares for changed hints, instead of making the caller wait. */
  context?: string;
  language?: string;
  /** Aborts the call (a resilience deadline). */
  signal?: AbortSignal;
}

/** 16 kHz mono 16-bit PCM WAV -> text. */
export interface Transcriber {
  transcribe(wav: Buffer, options?: TranscribeOptions): Promise<Transcript>;
}
