import type { SearchHit } from '../../core/model/types.js';
import type { AnswerWriter, WriteOptions, WrittenAnswer } from '../../core/ports/answer-writer.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { ResiliencePolicy } from './resilience-policy.js';

/** The model's writer under a policy (retry, deadline, breaker): what the fallback below calls. */
export class GuardedAnswerWriter implements AnswerWriter {
  readonly id: string;

  constructor(
    private readonly inner: AnswerWriter,
    private readonly policy: ResiliencePolicy,
  ) {
    this.id = inner.id;
  }

  write(question: string, passages: SearchHit[], options: WriteOptions = {}): Promise<WrittenAnswer> {
    return this.policy.execute((signal) => this.inner.write(question, passages, { signal }), options.signal);
  }
}

/**
 * The model's answer, or, when the model fails (down, 5xx, past its deadline, breaker open), the
 * extractive answer from the same passages, marked `extractive-fallback`. Keeps the model writer's id:
 * cache keys stay the model's, and the use case does not store a stand-in answer under them. The
 * outage is logged when it starts and when it ends; every stand-in answer is counted.
 */
export class FallbackAnswerWriter implements AnswerWriter {
  readonly id: string;
  private down = false;

  constructor(
    private readonly primary: AnswerWriter,
    private readonly fallback: AnswerWriter,
    private readonly deps: { logger: Logger; metrics: Metrics; service: string },
  ) {
    this.id = primary.id;
  }

  async write(question: string, passages: SearchHit[], options: WriteOptions = {}): Promise<WrittenAnswer> {
    let written: WrittenAnswer;
    try {
      written = await this.primary.write(question, passages, options);
    } catch (e) {
      this.deps.metrics.count('fallbacks_total', { service: this.deps.service });
      if (!this.down) {
        this.down = true;
        this.deps.logger.warn({ dependency: this.deps.service, err: { message: (e as Error).message } }, 'answer model failed: answering extractively until it is back');
      }
      const standIn = await this.fallback.write(question, passages);
      return { answer: standIn.answer, cited: standIn.cited, source: 'extractive-fallback' };
    }
    if (this.down) {
      this.down = false;
      this.deps.logger.info({ dependency: this.deps.service }, 'answer model answering again');
    }
    return written;
  }
}
