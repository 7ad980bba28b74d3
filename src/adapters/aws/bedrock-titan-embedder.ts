import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { errors } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { awsUpstreamError } from './aws-upstream-error.js';

export interface TitanEmbedderOptions {
  client: BedrockRuntimeClient;
  /** EmbeddingModelId: `amazon.titan-embed-text-v2:0`. */
  modelId: string;
  /** 256, 512 or 1024 (Titan v2); must match the vector index. Default 1024. */
  dimensions?: 256 | 512 | 1024;
  /** InvokeModel calls in flight at once (Titan embeds one text per call). Default 4. */
  concurrency?: number;
}

/** Titan v2 takes up to 8,192 tokens or 50,000 characters per text. */
const MAX_CHARS = 50_000;

interface TitanResponse {
  embedding?: number[];
  inputTextTokenCount?: number;
}

/**
 * Amazon Titan Text Embeddings V2 through InvokeModel: one text per request
 * (`{inputText, dimensions, normalize: true}` -> `{embedding, inputTextTokenCount}`), a few
 * requests in flight, results in input order. Throttling is retried by the SDK's own retry
 * strategy; what still fails is a coded upstream error with Bedrock's status.
 */
export class TitanEmbedder implements Embedder {
  readonly dimensions: number;
  readonly modelId: string;
  /** Tokens Bedrock counted since start-up (the price of embeddings is per input token). */
  inputTokens = 0;

  constructor(private readonly options: TitanEmbedderOptions) {
    this.modelId = options.modelId;
    this.dimensions = options.dimensions ?? 1024;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(texts.length);
    let next = 0;
    const worker = async () => {
      while (next < texts.length) {
        const i = next++;
        out[i] = await this.embedOne(texts[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 4, texts.length) }, worker));
    return out;
  }

  private async embedOne(text: string): Promise<Float32Array> {
    const body = JSON.stringify({ inputText: text.slice(0, MAX_CHARS) || ' ', dimensions: this.dimensions, normalize: true });
    let raw: Uint8Array | undefined;
    try {
      const res = await this.options.client.send(new InvokeModelCommand({ modelId: this.modelId, contentType: 'application/json', accept: 'application/json', body }));
      raw = res.body;
    } catch (e) {
      throw awsUpstreamError(e, `Bedrock ${this.modelId}`);
    }
    let parsed: TitanResponse;
    try {
      parsed = JSON.parse(new TextDecoder().decode(raw)) as TitanResponse;
    } catch {
      throw errors.upstream(`Bedrock ${this.modelId} returned invalid JSON`);
    }
    const v = parsed.embedding;
    if (!Array.isArray(v) || v.length !== this.dimensions) {
      throw errors.upstream(`Bedrock ${this.modelId} returned ${Array.isArray(v) ? v.length : 'no'} dimensions, expected ${this.dimensions}`);
    }
    this.inputTokens += parsed.inputTextTokenCount ?? 0;
    return Float32Array.from(v);
  }
}
