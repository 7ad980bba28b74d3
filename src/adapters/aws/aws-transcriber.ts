import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DeleteTranscriptionJobCommand,
  GetTranscriptionJobCommand,
  StartTranscriptionJobCommand,
  type LanguageCode,
  type TranscribeClient,
  type TranscriptionJob,
} from '@aws-sdk/client-transcribe';
import { errors, ManuelError } from '../../core/errors.js';
import type { TranscribeOptions, Transcriber, Transcript } from '../../core/ports/transcriber.js';
import { wavSamples } from '../../core/voice/wav-format.js';
import { awsUpstreamError } from './aws-upstream-error.js';

export interface AwsTranscriberOptions {
  transcribe: TranscribeClient;
  s3: S3Client;
  /** Where the audio goes for the job, and where the job writes its transcript (both deleted after). */
  bucket: string;
  prefix?: string; // default 'transcribe/'
  /** Used when the caller names no language, or one Transcribe has no default variant for here. */
  languageCode?: LanguageCode; // default en-US
  /** First wait between status checks; it doubles up to pollMaxMs. */
  pollInitialMs?: number; // default 500
  pollMaxMs?: number; // default 3000
  /** Overall time for one transcription; under API Gateway's 29 s so the caller still gets an answer. */
  deadlineMs?: number; // default 25000
}

/** Two-letter codes -> the variant Transcribe expects. */
const LANGUAGE_VARIANTS: Record<string, LanguageCode> = {
  en: 'en-US',
  de: 'de-DE',
  fr: 'fr-FR',
  es: 'es-US',
  it: 'it-IT',
  pt: 'pt-BR',
  nl: 'nl-NL',
  ja: 'ja-JP',
};

/** What a Transcribe job writes (only the fields read here). */
interface TranscribeOutput {
  results?: {
    transcripts?: { transcript?: string }[];
    items?: { type?: string; alternatives?: { confidence?: string; content?: string }[] }[];
  };
}

/**
 * Amazon Transcribe batch jobs behind the Transcriber port: the WAV is put to S3, a job is
 * started with its output in the same bucket, its status is polled with a doubling wait until
 * COMPLETED or FAILED (or the deadline), then the transcript JSON is read and everything the call
 * created is deleted. Hints are not used: Transcribe takes vocabulary only as a custom vocabulary
 * built ahead of time (minutes), not per request.
 */
export class AwsTranscriber implements Transcriber {
  constructor(private readonly o: AwsTranscriberOptions) {}

  async transcribe(wav: Buffer, options: TranscribeOptions = {}): Promise<Transcript> {
    const id = randomUUID();
    const prefix = this.o.prefix ?? 'transcribe/';
    const audioKey = `${prefix}${id}.wav`;
    const outputKey = `${prefix}${id}.json`;
    const jobName = `manuel-${id}`;
    const deadline = Date.now() + (this.o.deadlineMs ?? 25_000);
    let started = false;
    try {
      await this.aws('S3', () => this.o.s3.send(new PutObjectCommand({ Bucket: this.o.bucket, Key: audioKey, Body: wav, ContentType: 'audio/wav' })));
      await this.aws('Transcribe', () =>
        this.o.transcribe.send(
          new StartTranscriptionJobCommand({
            TranscriptionJobName: jobName,
            Media: { MediaFileUri: `s3://${this.o.bucket}/${audioKey}` },
            MediaFormat: 'wav',
            MediaSampleRateHertz: 16_000,
            LanguageCode: languageCode(options.language, this.o.languageCode ?? 'en-US'),
            OutputBucketName: this.o.bucket,
            OutputKey: outputKey,
          }),
        ),
      );
      started = true;
      const job = await this.waitForJob(jobName, deadline, options.signal);
      if (job.TranscriptionJobStatus === 'FAILED') {
        // The job ran and refused the input (format, length): retrying the same audio cannot help.
        throw new ManuelError('upstream_error', `Transcribe job failed: ${job.FailureReason ?? 'no reason given'}`, { upstream_status: 422 });
      }
      const output = await this.readOutput(outputKey);
      return { ...transcriptOf(output), durationS: wavSamples(wav).length / 16_000, engine: 'aws-transcribe' };
    } finally {
      // Awaited: Lambda freezes the process once the handler returns, so un-awaited work may never run.
      await this.cleanUp(audioKey, outputKey, started ? jobName : null);
    }
  }

  private async waitForJob(jobName: string, deadline: number, signal: AbortSignal | undefined): Promise<TranscriptionJob> {
    let wait = this.o.pollInitialMs ?? 500;
    for (;;) {
      const res = await this.aws('Transcribe', () => this.o.transcribe.send(new GetTranscriptionJobCommand({ TranscriptionJobName: jobName })));
      const job = res.TranscriptionJob;
      if (job?.TranscriptionJobStatus === 'COMPLETED' || job?.TranscriptionJobStatus === 'FAILED') return job;
      const left = deadline - Date.now();
      if (left <= 0) throw errors.upstream(`Transcribe job ${jobName} did not finish in time (last status ${job?.TranscriptionJobStatus ?? 'unknown'})`);
      try {
        await sleep(Math.min(wait, left), undefined, { signal });
      } catch {
        throw errors.upstream(`Transcribe job ${jobName}: call abandoned (deadline)`);
      }
      wait = Math.min(wait * 2, this.o.pollMaxMs ?? 3000);
    }
  }

  private async readOutput(key: string): Promise<TranscribeOutput> {
    const res = await this.aws('S3', () => this.o.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key })));
    const text = (await res.Body?.transformToString('utf8')) ?? '';
    try {
      return JSON.parse(text) as TranscribeOutput;
    } catch {
      throw errors.upstream('The Transcribe output is not JSON');
    }
  }

  /** Best effort: the bucket's lifecycle rule removes what a failed delete leaves. */
  private async cleanUp(audioKey: string, outputKey: string, jobName: string | null): Promise<void> {
    const tasks: Promise<unknown>[] = [
      this.o.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: audioKey })),
      this.o.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: outputKey })),
    ];
    if (jobName) tasks.push(this.o.transcribe.send(new DeleteTranscriptionJobCommand({ TranscriptionJobName: jobName })));
    await Promise.allSettled(tasks);
  }

  private async aws<T>(service: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      throw e instanceof ManuelError ? e : awsUpstreamError(e, service === 'S3' ? `S3 bucket ${this.o.bucket}` : 'Amazon Transcribe');
    }
  }
}

export function languageCode(language: string | undefined, fallback: LanguageCode): LanguageCode {
  if (!language) return fallback;
  if (language.includes('-')) return language as LanguageCode;
  return LANGUAGE_VARIANTS[language.toLowerCase()] ?? fallback;
}

/** The transcript text and the mean confidence of its spoken words (punctuation items carry none). */
export function transcriptOf(output: TranscribeOutput): { text: string; confidence: number } {
  const transcript = output.results?.transcripts?.[0]?.transcript;
  if (typeof transcript !== 'string') throw errors.upstream('The Transcribe output has no transcript');
  const confidences = (output.results?.items ?? [])
    .filter((i) => i.type === 'pronunciation')
    .map((i) => Number(i.alternatives?.[0]?.confidence))
    .filter((c) => Number.isFinite(c));
  const mean = confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : 0;
  return { text: transcript.trim(), confidence: Math.round(Math.min(1, Math.max(0, mean)) * 1000) / 1000 };
}
