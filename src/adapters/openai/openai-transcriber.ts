import { errors, ManuelError } from '../../core/errors.js';
import type { TranscribeOptions, Transcriber, Transcript } from '../../core/ports/transcriber.js';
import { wavSamples } from '../../core/voice/wav-format.js';

export interface OpenAiTranscriberOptions {
  /** Base URL (`http://host:8080`, `.../v1`) or the full `/v1/audio/transcriptions` URL. */
  endpoint: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  /** The process's pooled keep-alive fetch (EnablePerformanceOptimization); default: the global fetch. */
  fetch?: typeof fetch;
}

export function transcriptionsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  if (base.endsWith('/audio/transcriptions')) return base;
  if (base.endsWith('/v1')) return `${base}/audio/transcriptions`;
  return `${base}/v1/audio/transcriptions`;
}

/** Whisper reads at most 224 prompt tokens; ~60 short terms stay well inside that. */
export function promptFromHints(hints: string[] | undefined, maxChars = 600): string | null {
  if (!hints?.length) return null;
  let prompt = '';
  for (const h of hints) {
    const next = prompt ? `${prompt}, ${h}` : h;
    if (next.length > maxChars) break;
    prompt = next;
  }
  return prompt || null;
}

export interface TranscriptionBody {
  text?: unknown;
  segments?: { avg_logprob?: number; no_speech_prob?: number }[];
}

/**
 * Any OpenAI-compatible `/v1/audio/transcriptions` (OpenAI, whisper.cpp server, faster-whisper
 * server, speaches): multipart `file` + `model`, with the caller's manual vocabulary as `prompt`
 * so product names come out spelled as in the manual.
 */
export class OpenAiTranscriber implements Transcriber {
  private readonly url: string;

  constructor(private readonly opts: OpenAiTranscriberOptions) {
    this.url = transcriptionsUrl(opts.endpoint);
  }

  async transcribe(wav: Buffer, options: TranscribeOptions = {}): Promise<Transcript> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(wav)], { type: 'audio/wav' }), 'question.wav');
    form.append('model', this.opts.model);
    form.append('response_format', 'json');
    if (options.language) form.append('language', options.language);
    const prompt = promptFromHints(options.hints);
    if (prompt) form.append('prompt', prompt);

    let res: Response;
    let raw: string;
    try {
      res = await (this.opts.fetch ?? fetch)(this.url, {
        method: 'POST',
        body: form,
        headers: this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {},
        signal: options.signal ? AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs ?? 60_000), options.signal]) : AbortSignal.timeout(this.opts.timeoutMs ?? 60_000),
      });
      raw = await res.text();
    } catch (e) {
      const reason = (e as Error).name === 'TimeoutError' ? 'timed out' : options.signal?.aborted ? 'abandoned (deadline)' : (e as Error).message;
      throw errors.upstream(`Transcription endpoint unreachable: ${reason}`);
    }
    if (!res.ok) {
      let message = raw.slice(0, 200);
      try {
        message = (JSON.parse(raw) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON: keep the start of the body
      }
      throw new ManuelError('upstream_error', `Transcription endpoint answered ${res.status}: ${message}`, { upstream_status: res.status });
    }
    let body: TranscriptionBody;
    try {
      body = JSON.parse(raw) as TranscriptionBody;
    } catch {
      throw errors.upstream('Transcription endpoint answered something that is not JSON');
    }
    if (typeof body.text !== 'string') throw errors.upstream('Transcription endpoint answered without a text field');
    return { text: body.text.trim(), confidence: confidenceOf(body), durationS: wavSamples(wav).length / 16_000, engine: `openai:${this.opts.model}` };
  }
}

/** Mean segment probability when the server reports it (verbose servers do); 1 when it reports none. */
export function confidenceOf(body: TranscriptionBody): number {
  const logprobs = (body.segments ?? []).map((s) => s.avg_logprob).filter((x): x is number => typeof x === 'number');
  if (logprobs.length === 0) return 1;
  const mean = logprobs.reduce((a, b) => a + b, 0) / logprobs.length;
  return Math.round(Math.min(1, Math.max(0, Math.exp(mean))) * 1000) / 1000;
}
