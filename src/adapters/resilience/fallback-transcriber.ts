import type { Logger } from '../../core/ports/logger.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { TranscribeOptions, Transcriber, Transcript } from '../../core/ports/transcriber.js';
import type { ResiliencePolicy } from './resilience-policy.js';

/** The transcription endpoint under a policy (retry, deadline, breaker). */
export class GuardedTranscriber implements Transcriber {
  constructor(
    private readonly inner: Transcriber,
    private readonly policy: ResiliencePolicy,
  ) {}

  transcribe(wav: Buffer, options: TranscribeOptions = {}): Promise<Transcript> {
    return this.policy.execute((signal) => this.inner.transcribe(wav, { ...options, signal }), options.signal);
  }
}

/**
 * The endpoint's transcript, or the local recogniser's (pocketsphinx) when the endpoint fails: the
 * transcript's `engine` says which one heard the question. Logged when the outage starts and ends,
 * each stand-in counted.
 */
export class FallbackTranscriber implements Transcriber {
  private down = false;

  constructor(
    private readonly primary: Transcriber,
    private readonly fallback: Transcriber,
    private readonly deps: { logger: Logger; metrics: Metrics; service: string },
  ) {}

  async transcribe(wav: Buffer, options: TranscribeOptions = {}): Promise<Transcript> {
    let transcript: Transcript;
    try {
      transcript = await this.primary.transcribe(wav, options);
    } catch (e) {
      if ((e as { code?: string }).code === 'no_speech') throw e; // heard fine, nothing said: not an outage
      this.deps.metrics.count('fallbacks_total', { service: this.deps.service });
      if (!this.down) {
        this.down = true;
        this.deps.logger.warn({ dependency: this.deps.service, err: { message: (e as Error).message } }, 'transcription endpoint failed: recognising locally until it is back');
      }
      const { signal: _ignored, ...rest } = options;
      return this.fallback.transcribe(wav, rest);
    }
    if (this.down) {
      this.down = false;
      this.deps.logger.info({ dependency: this.deps.service }, 'transcription endpoint answering again');
    }
    return transcript;
  }
}
