import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small real HTTP server speaking the two OpenAI-compatible routes Manuel calls
 * (`/v1/chat/completions`, `/v1/audio/transcriptions`). Replies are scripted by the test; every
 * request is recorded so a test can check what the adapter actually sent over the wire.
 */

export interface ChatRequestRecord {
  headers: IncomingHttpHeaders;
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    [key: string]: unknown;
  };
}

export interface TranscriptionRequestRecord {
  headers: IncomingHttpHeaders;
  model: string | null;
  fileName: string | null;
  fileType: string | null;
  fileSize: number;
  /** Every non-file form field (language, prompt, response_format, ...). */
  fields: Record<string, string>;
}

/** A scripted failure: the server answers this status and body instead of a normal reply. */
export interface ScriptedError {
  status: number;
  body?: unknown;
}

export type ChatScript = string | ScriptedError | ((req: ChatRequestRecord) => string | ScriptedError);
export type TranscriptionScript = string | ScriptedError | ((req: TranscriptionRequestRecord) => string | ScriptedError);

export interface FakeOpenAiServer {
  /** Base URL without `/v1`, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  readonly chatRequests: ChatRequestRecord[];
  readonly transcriptionRequests: TranscriptionRequestRecord[];
  /** GET /v1/models calls (health probes). */
  modelRequests: number;
  /** What the next chat completions answer (content of the assistant message). */
  chatReply: ChatScript;
  /** Token counts reported in `usage` for chat replies. */
  chatUsage: { prompt_tokens: number; completion_tokens: number };
  transcriptionText: TranscriptionScript;
  /** Wait this long before answering any request (to exercise client timeouts). */
  delayMs: number;
  close(): Promise<void>;
}

export interface FakeOpenAiOptions {
  chatReply?: ChatScript;
  transcriptionText?: TranscriptionScript;
  delayMs?: number;
  /** Bearer key required on every request when set (401 otherwise). */
  apiKey?: string;
}

const isError = (v: unknown): v is ScriptedError => typeof v === 'object' && v !== null && 'status' in v;

export async function startFakeOpenAiServer(options: FakeOpenAiOptions = {}): Promise<FakeOpenAiServer> {
  let server: Server;
  const state: FakeOpenAiServer = {
    url: '',
    port: 0,
    chatRequests: [],
    transcriptionRequests: [],
    modelRequests: 0,
    chatReply: options.chatReply ?? 'OK',
    chatUsage: { prompt_tokens: 100, completion_tokens: 20 },
    transcriptionText: options.transcriptionText ?? '',
    delayMs: options.delayMs ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (e: ScriptedError) => send(e.status, e.body ?? { error: { message: `scripted ${e.status}`, type: 'server_error' } });
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      // Unref'd: a "hanging" endpoint must not keep the test process alive after it is closed.
      if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs).unref());
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      }
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/v1/models') {
        state.modelRequests++;
        return send(200, { object: 'list', data: [{ id: 'fake', object: 'model', owned_by: 'test' }] });
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        const record: ChatRequestRecord = { headers: req.headers, body: JSON.parse(raw.toString('utf8')) };
        state.chatRequests.push(record);
        const script = typeof state.chatReply === 'function' ? state.chatReply(record) : state.chatReply;
        if (isError(script)) return fail(script);
        return send(200, {
          id: `chatcmpl-${state.chatRequests.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: record.body.model ?? 'fake',
          choices: [{ index: 0, message: { role: 'assistant', content: script }, finish_reason: 'stop' }],
          usage: { ...state.chatUsage, total_tokens: state.chatUsage.prompt_tokens + state.chatUsage.completion_tokens },
        });
      }
      if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
        // Parse the multipart body with the platform's own parser rather than a hand-written one.
        const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: raw }).formData();
        const file = form.get('file');
        const fields: Record<string, string> = {};
        for (const [k, v] of form.entries()) if (typeof v === 'string') fields[k] = v;
        const record: TranscriptionRequestRecord = {
          headers: req.headers,
          model: fields.model ?? null,
          fileName: file && typeof file !== 'string' ? file.name : null,
          fileType: file && typeof file !== 'string' ? file.type : null,
          fileSize: file && typeof file !== 'string' ? file.size : 0,
          fields,
        };
        state.transcriptionRequests.push(record);
        if (!file || typeof file === 'string') return send(400, { error: { message: "Missing 'file'", type: 'invalid_request_error' } });
        const script = typeof state.transcriptionText === 'function' ? state.transcriptionText(record) : state.transcriptionText;
        if (isError(script)) return fail(script);
        return send(200, { text: script });
      }
      send(404, { error: { message: `Unknown route ${req.method} ${path}`, type: 'invalid_request_error' } });
    } catch (e) {
      send(500, { error: { message: (e as Error).message, type: 'server_error' } });
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(state, { url: `http://127.0.0.1:${port}`, port });
  return state;
}
