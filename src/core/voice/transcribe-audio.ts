import type { Parameters } from '../../config/parameters.js';
import { errors } from '../errors.js';
import type { AudioArchive } from '../ports/audio-archive.js';
import type { AudioDecoder } from '../ports/audio-decoder.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { RecognitionCorpus } from '../ports/recognition-corpus.js';
import type { Transcriber } from '../ports/transcriber.js';
import { vocabularyMatcher } from './phonetic-match.js';
import { RecognitionHints } from './recognition-hints.js';
import { normaliseSpokenNumbers } from './spoken-numbers.js';
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
  /**
   * Rewrites of the transcript before it becomes the question (default both on): spoken numbers,
   * units and versions to digits ("twelve volts" -> "12 V"), and words matched by sound to the
   * manuals' vocabulary ("sis log" -> "syslog").
   */
  rewrite?: { numbers?: boolean; vocabulary?: boolean };
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
  /** What the recogniser produced, before the rewrites (equal to text when nothing changed). */
  heard?: string;
}

// One matcher per vocabulary array: RecognitionHints hands out the same array while memoised.
const matchers = new WeakMap<readonly string[], (text: string) => string>();
function matcherFor(vocabulary: readonly string[]) {
  let m = matchers.get(vocabulary);
  if (!m) matchers.set(vocabulary, (m = vocabularyMatcher(vocabulary)));
  return m;
}

/** Transcript -> question text: spoken numbers written as digits, sound-alikes of manual words spelt as the manuals do. */
export function rewriteTranscript(heard: string, vocabulary: readonly string[], opts: { numbers?: boolean; vocabulary?: boolean } = {}): string {
  let text = heard;
  if (opts.numbers !== false) text = normaliseSpokenNumbers(text);
  if (opts.vocabulary !== false && vocabulary.length) text = matcherFor(vocabulary)(text);
  return text;
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
  const heard = transcript.text.replace(/\s+/g, ' ').trim();
  if (!heard) throw errors.noSpeech();
  const text = rewriteTranscript(heard, hints, deps.rewrite);

  if (p.AudioFileRetentionDays > 0 && deps.archive) {
    const now = (deps.now ?? (() => new Date()))();
    await deps.archive.keep({ audio: input.audio, format: decoded.format, ownerId: input.owners[0] ?? 'unknown', transcript: text, at: now });
    await deps.archive.purge(new Date(now.getTime() - p.AudioFileRetentionDays * 86_400_000));
  }
  return { text, confidence: transcript.confidence, durationS: Math.round(decoded.durationS * 100) / 100, engine: transcript.engine, heard };
}
