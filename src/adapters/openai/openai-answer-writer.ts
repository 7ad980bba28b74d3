import type { AnswerWriter, WriteOptions, WrittenAnswer } from '../../core/ports/answer-writer.js';
import type { SearchHit } from '../../core/model/types.js';
import { errors, ManuelError } from '../../core/errors.js';

/**
 * Answers with any OpenAI-compatible chat endpoint (Ollama, llama.cpp server, vLLM). The model
 * sees numbered passages and must cite them as [n]; citations that point at no passage are
 * removed from the text and never reach `cited`, so a hallucinated [7] cannot become a source.
 */

export interface OpenAiAnswerWriterOptions {
  /** Base URL (`http://host:11434`, `.../v1`) or the full `/v1/chat/completions` URL. */
  endpoint: string;
  model: string;
  apiKey?: string;
  timeoutMs?: number;
  /** The process's pooled keep-alive fetch (EnablePerformanceOptimization); default: the global fetch. */
  fetch?: typeof fetch;
  maxTokens?: number;
}

export const ANSWER_SYSTEM_PROMPT = [
  'You answer questions about product manuals.',
  'Use ONLY the numbered passages given by the user; do not use outside knowledge.',
  'Cite every statement with the number of the passage it comes from, in square brackets, like [1] or [2][3].',
  'Keep steps, values and names exactly as written in the passages.',
  'If the passages do not contain the answer, say that the manuals do not cover it, and cite nothing.',
  'Be concise.',
].join(' ');

export function chatCompletionsUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  if (base.endsWith('/chat/completions')) return base;
  if (base.endsWith('/v1')) return `${base}/chat/completions`;
  return `${base}/v1/chat/completions`;
}

export function formatPassages(passages: SearchHit[]): string {
  return passages
    .map((p, i) => {
      const label = p.chunk.pageLabel && p.chunk.pageLabel !== String(p.chunk.pageNumber) ? ` (printed page ${p.chunk.pageLabel})` : '';
      const heading = p.chunk.heading ? `, section "${p.chunk.heading}"` : '';
      return `[${i + 1}] ${p.manualName}, page ${p.chunk.pageNumber}${label}${heading}:\n${p.chunk.text}`;
    })
    .join('\n\n');
}

/** Keeps citations in range, drops the rest from the text; returns 0-based passage indexes in order of first use. */
export function extractCitations(text: string, passageCount: number): { text: string; cited: number[] } {
  const cited: number[] = [];
  // [1], [1, 2], [1,2,3] — a group is kept with only its valid numbers, or removed entirely.
  const cleaned = text.replace(/\s*\[(\d+(?:\s*,\s*\d+)*)\]/g, (match, group: string) => {
    const valid = group
      .split(',')
      .map((n) => Number(n.trim()))
      .filter((n) => Number.isInteger(n) && n >= 1 && n <= passageCount);
    for (const n of valid) if (!cited.includes(n - 1)) cited.push(n - 1);
    if (valid.length === 0) return '';
    const lead = match.match(/^\s*/)![0];
    return `${lead}[${valid.join(', ')}]`;
  });
  return { text: cleaned.replace(/[ \t]+([.,;:!?])/g, '$1').trim(), cited };
}

interface ChatResponse {
  choices?: { message?: { content?: string | null } }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  model?: string;
}

export class OpenAiAnswerWriter implements AnswerWriter {
  readonly id: string;
  private readonly url: string;

  constructor(private readonly options: OpenAiAnswerWriterOptions) {
    this.id = `openai:${options.model}`;
    this.url = chatCompletionsUrl(options.endpoint);
  }

  async write(question: string, passages: SearchHit[], options: WriteOptions = {}): Promise<WrittenAnswer> {
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    const body = {
      model: this.options.model,
      temperature: 0,
      max_tokens: this.options.maxTokens ?? 512,
      stream: false,
      messages: [
        { role: 'system', content: ANSWER_SYSTEM_PROMPT },
        { role: 'user', content: `Passages:\n\n${formatPassages(passages)}\n\nQuestion: ${question}` },
      ],
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;

    let res: Response;
    let json: ChatResponse;
    try {
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = options.signal ? AbortSignal.any([timer, options.signal]) : timer;
      res = await (this.options.fetch ?? fetch)(this.url, { method: 'POST', headers, body: JSON.stringify(body), signal });
      const text = await res.text();
      if (!res.ok) {
        // The status goes with the error: resilience policies retry 5xx/429, never another 4xx.
        throw new ManuelError('upstream_error', `Text model at ${this.url} answered HTTP ${res.status}: ${upstreamMessage(text)}`, { upstream_status: res.status });
      }
      json = JSON.parse(text) as ChatResponse;
    } catch (e) {
      if ((e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError') {
        if (options.signal?.aborted) throw errors.upstream(`Text model at ${this.url}: call abandoned (deadline)`);
        throw errors.upstream(`Text model at ${this.url} did not answer within ${timeoutMs} ms`);
      }
      if ((e as { code?: string }).code === 'upstream_error') throw e;
      if (e instanceof SyntaxError) throw errors.upstream(`Text model at ${this.url} returned invalid JSON`);
      throw errors.upstream(`Text model at ${this.url} is unreachable: ${causeMessage(e)}`);
    }

    const content = json.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw errors.upstream(`Text model at ${this.url} returned no message content`);
    const { text, cited } = extractCitations(content, passages.length);
    return {
      answer: text,
      cited,
      source: 'model',
      usage: {
        inputTokens: json.usage?.prompt_tokens ?? 0,
        outputTokens: json.usage?.completion_tokens ?? 0,
        model: json.model ?? this.options.model,
      },
    };
  }
}

function upstreamMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: string } | string };
    const m = typeof j.error === 'string' ? j.error : j.error?.message;
    if (m) return m.slice(0, 200);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200) || '(empty body)';
}

function causeMessage(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
