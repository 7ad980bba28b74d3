import type { Parameters } from '../../config/parameters.js';
import { errors } from '../errors.js';
import type { AudioArchive } from '../ports/audio-archive.js';
import type { AudioDecoder } from '../ports/audio-decoder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { RecognitionCorpus } from '../ports/recognition-corpus.js';
import type { Transcriber } from '../ports/transcriber.js';
import { RecognitionHints } from './recognition-hints.js';
import { isSilent, measureLevel, wavSamples } from './wav-format.js';

export interface TranscribeAudioDeps {
  decoder: AudioDecoder;
  transcriber: Transcriber;
  kb: Pick<KnowledgeBase, 'vocabulary'>;
  /** Manual text for recognisers that build a biased language model. */
  corpus?: RecognitionCorpus;
  parameters: Pick<Parameters, 'MaxAudioDurationSeconds' | 'MaxAudioSizeMB' | 'AudioFileRetentionDays'>;
  /** Shared memo of what the recogniser is told; one is made per call when absent. */
  hints?: RecognitionHints;
  /** Needed only when AudioFileRetentionDays > 0. */
  archive?: AudioArchive;
  now?: () => Date;
}

export interface TranscribeAudioInput {
  audio: Buffer;
  contentType: string | null;
  /** Owners whose manuals the caller sees (their vocabulary biases recognition). */
  owners: string[];
}

export interface TranscriptionResult {
  text: string;
  confidence: number;
  durationS: number;
  engine: string;
}

/** Spoken question -> transcript: size limit, decode + normalise, silence check, recognise. */
export async function transcribeAudio(deps: TranscribeAudioDeps, input: TranscribeAudioInput): Promise<TranscriptionResult> {
  const p = deps.parameters;
  const limitBytes = Math.floor(p.MaxAudioSizeMB * 1024 * 1024);
  if (input.audio.length > limitBytes) throw errors.tooLarge(limitBytes);

  const decoded = await deps.decoder.decode(input.audio, { contentType: input.contentType, maxDurationS: p.MaxAudioDurationSeconds });
  // Silence never reaches the recogniser: it would hallucinate a few words and send them to retrieval.
  if (decoded.durationS < 0.2 || isSilent(measureLevel(wavSamples(decoded.wav)), decoded.durationS)) throw errors.noSpeech();

  const { hints, corpus } = await (deps.hints ?? new RecognitionHints({ kb: deps.kb, corpus: deps.corpus })).for(input.owners);
  const context = [...input.owners].sort().join(',');
  const transcript = await deps.transcriber.transcribe(decoded.wav, { hints, corpus, context, language: 'en' });
  const text = transcript.text.replace(/\s+/g, ' ').trim();
  if (!text) throw errors.noSpeech();

  if (p.AudioFileRetentionDays > 0 && deps.archive) {
    const now = (deps.now ?? (() => new Date()))();
    await deps.archive.keep({ audio: input.audio, format: decoded.format, ownerId: input.owners[0] ?? 'unknown', transcript: text, at: now });
    await deps.archive.purge(new Date(now.getTime() - p.AudioFileRetentionDays * 86_400_000));
  }
  return { text, confidence: transcript.confidence, durationS: Math.round(decoded.durationS * 100) / 100, engine: transcript.engine };
}
