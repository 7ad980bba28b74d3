import { signRequest, type SigningCredentials } from '../../../http/signing/request-signer.js';
import { serverKeyId } from '../../../http/signing/server-keys.js';

export interface SendOptions {
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Sign with these credentials (an API key, or the server key for admin routes). */
  sign?: SigningCredentials;
  timeoutMs?: number;
  /**
   * Wait out a 429 rate_limited (Retry-After) and send again, up to this long in total (default 90 s).
   * 0 for the requests that measure the rate limit itself.
   */
  rateLimitWaitMs?: number;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  data: Buffer;
  /** The parsed JSON body, or undefined. */
  json: any;
  ms: number;
  /** Network failure or time-out (status 0 then). */
  failure?: 'timeout' | 'network' | 'aborted';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

/** Seconds until the rate-limit window resets: Retry-After, else the `t=` of the RateLimit header. */
export function retryAfterSeconds(headers: Headers): number | null {
  const ra = Number(headers.get('retry-after'));
  if (Number.isFinite(ra) && ra > 0) return ra;
  const t = /;t=(\d+)/.exec(headers.get('ratelimit') ?? '');
  return t ? Number(t[1]) : null;
}

/** Credentials for a server-key signature (HMACSigningKey): the key id is derived from the secret, as the server does. */
export const serverKeyCredentials = (secret: string): SigningCredentials => ({ keyId: serverKeyId(secret), secret });

/** Parses `KEYID:SECRET` (what `POST /api/keys` prints). */
export function apiKeyCredentials(raw: string): SigningCredentials {
  const i = raw.indexOf(':');
  if (i <= 0) throw new Error('--api-key must be KEYID:SECRET');
  return { keyId: raw.slice(0, i), secret: raw.slice(i + 1) };
}

/** fetch() with a time-out, timing, JSON parsing, optional RFC 9421 signing and polite 429 handling. */
export class CheckHttp {
  constructor(
    readonly base: string,
    private readonly defaultTimeoutMs: number,
    /** Aborted on Ctrl+C: the phases' requests stop, the cleanup's (own signal) go on. */
    private readonly signal?: AbortSignal,
  ) {}

  async send(method: string, path: string, o: SendOptions = {}): Promise<HttpResult> {
    const deadline = Date.now() + (o.rateLimitWaitMs ?? 90_000);
    for (;;) {
      const res = await this.once(method, path, o);
      if (res.status !== 429 || res.json?.error_type !== 'rate_limited' || this.signal?.aborted) return res;
      const wait = (retryAfterSeconds(res.headers) ?? 1) * 1000 + 50;
      if (Date.now() + wait > deadline) return res;
      await sleep(wait, this.signal);
    }
  }

  private async once(method: string, path: string, o: SendOptions): Promise<HttpResult> {
    const url = this.base + path;
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: BodyInit | undefined = o.body;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    if (o.sign) {
      let bytes: Uint8Array<ArrayBuffer> | undefined;
      if (typeof body === 'string') bytes = new Uint8Array(Buffer.from(body));
      else if (body instanceof FormData) {
        const encoded = new Request(url, { method, body });
        headers['content-type'] = encoded.headers.get('content-type')!;
        bytes = new Uint8Array(await encoded.arrayBuffer());
      }
      body = bytes;
      Object.assign(headers, await signRequest({ method, url, headers, body: bytes }, o.sign));
    }
    const timeout = AbortSignal.timeout(o.timeoutMs ?? this.defaultTimeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    const started = performance.now();
    try {
      const res = await fetch(url, { method, headers, body, signal, redirect: 'manual' });
      const data = Buffer.from(await res.arrayBuffer());
      const text = data.toString('utf8');
      let json: unknown;
      try {
        json = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, data, json, ms: performance.now() - started };
    } catch (e) {
      const failure = this.signal?.aborted ? 'aborted' : timeout.aborted ? 'timeout' : 'network';
      return { status: 0, headers: new Headers(), text: String((e as Error).cause ?? (e as Error).message), json: undefined, data: Buffer.alloc(0), ms: performance.now() - started, failure };
    }
  }
}
