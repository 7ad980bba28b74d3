import { BedrockRuntimeClient, ConverseCommand, type ConverseResponse } from '@aws-sdk/client-bedrock-runtime';
import { errors } from '../../core/errors.js';
import type { SearchHit } from '../../core/model/types.js';
import type { AnswerWriter, WriteOptions, WrittenAnswer } from '../../core/ports/answer-writer.js';
import { awsUpstreamError } from './aws-upstream-error.js';
// One prompt and one citation check for every model writer: a hallucinated [7] never becomes a source.
import { ANSWER_SYSTEM_PROMPT, extractCitations, formatPassages } from '../openai/openai-answer-writer.js';

export interface BedrockAnswerWriterOptions {
  client: BedrockRuntimeClient;
  /** TextModelId, e.g. `anthropic.claude-3-haiku-20240307-v1:0` or an inference profile id. */
  modelId: string;
  maxTokens?: number;
  timeoutMs?: number;
}

/**
 * Answers with a Bedrock model through the Converse API (one request shape for every model
 * family). Errors carry the HTTP status Bedrock answered with, so the resilience layer retries
 * throttling (429), model time-outs (408) and 5xx, and never a validation or access error.
 */
export class BedrockAnswerWriter implements AnswerWriter {
  readonly id: string;

  constructor(private readonly options: BedrockAnswerWriterOptions) {
    this.id = `bedrock:${options.modelId}`;
  }

  async write(question: string, passages: SearchHit[], options: WriteOptions = {}): Promise<WrittenAnswer> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const timer = AbortSignal.timeout(timeoutMs);
    const abortSignal = options.signal ? AbortSignal.any([timer, options.signal]) : timer;
    const command = new ConverseCommand({
      modelId: this.options.modelId,
      system: [{ text: ANSWER_SYSTEM_PROMPT }],
      messages: [{ role: 'user', content: [{ text: `Passages:\n\n${formatPassages(passages)}\n\nQuestion: ${question}` }] }],
      inferenceConfig: { maxTokens: this.options.maxTokens ?? 512, temperature: 0 },
    });
    let out: ConverseResponse;
    try {
      out = await this.options.client.send(command, { abortSignal });
    } catch (e) {
      if (abortSignal.aborted) {
        if (options.signal?.aborted) throw errors.upstream(`Bedrock ${this.options.modelId}: call abandoned (deadline)`);
        throw errors.upstream(`Bedrock ${this.options.modelId} did not answer within ${timeoutMs} ms`);
      }
      throw awsUpstreamError(e, `Bedrock ${this.options.modelId}`);
    }
    const content = out.output?.message?.content ?? [];
    const texts = content.flatMap((block) => (typeof block.text === 'string' ? [block.text] : []));
    if (texts.length === 0) throw errors.upstream(`Bedrock ${this.options.modelId} returned no text (stopReason ${out.stopReason ?? 'none'})`);
    const { text, cited } = extractCitations(texts.join(''), passages.length);
    return {
      answer: text,
      cited,
      source: 'model',
      usage: { inputTokens: out.usage?.inputTokens ?? 0, outputTokens: out.usage?.outputTokens ?? 0, model: this.options.modelId },
    };
  }
}
