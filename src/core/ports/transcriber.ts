export interface Transcript {
  text: string;
  confidence: number; // 0..1
  durationS: number;
  engine: string;
}

export interface TranscribeOptions {
  /** Words and phrases likely in the question (e.g. the vocabulary of the user's manuals). */
  hints?: string[];
  language?: string;
}

/** 16 kHz mono 16-bit PCM WAV -> text. */
export interface Transcriber {
  transcribe(wav: Buffer, options?: TranscribeOptions): Promise<Transcript>;
}
