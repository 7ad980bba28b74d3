import { signRequest } from '../../http/signing/request-signer.js';
import { CliError, connectionError } from './cli-error.js';
import type { ConfigStore, Session, StoredApiKey } from './config-store.js';
import { fileSha256, postMultipartFile, putFile, type BodySigner, type MultipartFile, type RawResponse } from './http-upload.js';
import type { TokenResponse } from './api-types.js';

export interface RequestOptions {
  json?: unknown;
  form?: FormData;
  query?: Record<string, string | undefined>;
  /**
   * false for signup/login/refresh, which must not carry (or refresh) a token; 'bearer' for the few
   * calls that need the password session even when an API key is stored (creating API keys).
   */
  auth?: boolean | 'bearer';
}

/** Refresh this long before the access token expires, so a request never starts with a dying token. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The Manuel HTTP API. With an API key stored for the server every request is signed with it
 * (RFC 9421, hmac-sha256, over method, path, query and the body's digest) and carries no token;
 * otherwise the stored session's bearer token is sent, refreshed when it expires.
 */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly store: ConfigStore,
  ) {}

  session(): Session | undefined {
    return this.store.load().sessions[this.server];
  }

  apiKey(): StoredApiKey | undefined {
    return this.store.load().api_keys?.[this.server];
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const send = async (token: string | undefined, key?: StoredApiKey): Promise<RawResponse> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | FormData | Uint8Array<ArrayBuffer> | undefined;
      if (options.form) body = options.form;
      else if (options.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.json);
      }
      if (key) {
        if (body instanceof FormData) {
          // Encode the form once, so the digest is over the very bytes (and boundary) that are sent.
          const encoded = new Request(url, { method, body });
          headers['content-type'] = encoded.headers.get('content-type')!;
          body = new Uint8Array(await encoded.arrayBuffer());
        }
        Object.assign(headers, await signRequest({ method, url, headers, body }, { keyId: key.key_id, secret: key.secret }));
      }
      try {
        const res = await fetch(url, { method, headers, body });
        return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
      } catch (e) {
        throw connectionError(this.server, e);
      }
    };
    const key = options.auth === undefined || options.auth === true ? this.apiKey() : undefined;
    if (key) return parseResponse<T>(await send(undefined, key), true);
    const res = options.auth === false ? await send(undefined) : await this.withAuth(send);
    return parseResponse<T>(res);
  }

  async upload<T>(path: string, fields: Record<string, string>, file: MultipartFile, onProgress: (sent: number, total: number) => void): Promise<T> {
    const url = new URL(this.server + path);
    const key = this.apiKey();
    if (key) {
      const sign: BodySigner = ({ contentType, contentDigest }) =>
        signRequest({ method: 'POST', url, headers: { 'content-type': contentType }, contentDigest }, { keyId: key.key_id, secret: key.secret });
      try {
        return parseResponse<T>(await postMultipartFile(url, { accept: 'application/json' }, fields, file, onProgress, sign), true);
      } catch (e) {
        throw e instanceof CliError ? e : connectionError(this.server, e);
      }
    }
    const res = await this.withAuth(async (token) => {
      try {
        return await postMultipartFile(url, token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : {}, fields, file, onProgress);
      } catch (e) {
        throw connectionError(this.server, e);
      }
    });
    return parseResponse<T>(res);
  }

  /**
   * A PDF of any size up to the server's limit: start a direct upload, PUT the bytes to its url
   * (object storage on AWS, past API Gateway's 10 MB; the server's own route otherwise), complete it.
   * A server without the flow (older: 404 on the start) gets the multipart upload instead.
   */
  async uploadManual<T>(file: MultipartFile, fields: { name?: string }, onProgress: (sent: number, total: number) => void): Promise<T> {
    let ticket: UploadTicket;
    try {
      const sha256 = await fileSha256(file.path);
      ticket = await this.request<UploadTicket>('POST', '/api/manuals/uploads', { json: { filename: file.fileName, size: file.size, sha256, ...fields } });
    } catch (e) {
      const type = (e as CliError).body && ((e as CliError).body as { error_type?: string }).error_type;
      if (e instanceof CliError && type === 'not_found') return this.upload<T>('/api/manuals/upload', fields.name ? { name: fields.name } : {}, file, onProgress);
      throw e;
    }
    // Relative: this server's own PUT route; absolute: a presigned object-storage URL. Neither takes our credentials.
    const target = ticket.url.startsWith('/') ? new URL(this.server + ticket.url) : new URL(ticket.url);
    let put: RawResponse;
    try {
      put = await putFile(target, ticket.headers, file.path, file.size, onProgress);
    } catch (e) {
      throw connectionError(target.origin, e);
    }
    if (put.status < 200 || put.status >= 300) throw storageRefusal(put);
    return this.request<T>('POST', `/api/manuals/uploads/${encodeURIComponent(ticket.upload_id)}/complete`);
  }

  /** Stores the tokens of a signup/login/refresh answer as this server's session. */
  saveSession(email: string, tokens: TokenResponse, makeDefault: boolean): void {
    this.store.update((c) => {
      c.sessions[this.server] = {
        email,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
        expires_at: Date.now() + (tokens.expires_in ?? 3600) * 1000,
      };
      if (makeDefault) c.server = this.server;
    });
  }

  private async withAuth(send: (token: string | undefined) => Promise<RawResponse>): Promise<RawResponse> {
    let session = this.session();
    if (session && session.expires_at - EXPIRY_MARGIN_MS < Date.now()) session = await this.refresh(session);
    const res = await send(session?.access_token);
    // The server may have restarted with a new key or revoked the token: one refresh, one retry.
    if (res.status === 401 && session) {
      const renewed = await this.refresh(session);
      return send(renewed.access_token);
    }
    return res;
  }

  private async refresh(session: Session): Promise<Session> {
    let tokens: TokenResponse;
    try {
      tokens = await this.request<TokenResponse>('POST', '/api/auth/refresh', { json: { refresh_token: session.refresh_token }, auth: false });
    } catch (e) {
      if (e instanceof CliError && e.body !== undefined) {
        throw new CliError(`Your session on ${this.server} has expired; run \`manuel login\``, 1, e.body);
      }
      throw e;
    }
    this.saveSession(session.email, { ...tokens, refresh_token: tokens.refresh_token || session.refresh_token }, false);
    return this.session()!;
  }
}

interface UploadTicket {
  upload_id: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expires_at: string;
}

/** A refused PUT: our JSON error, or object storage's XML one (<Code>, <Message>). */
function storageRefusal(res: RawResponse): CliError {
  try {
    const body = JSON.parse(res.text) as { error?: string; error_type?: string };
    if (body.error) return new CliError(`Upload refused: ${body.error}`, 1, body);
  } catch {
    // XML (S3) or nothing
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(res.text)?.[1];
  const error = code ? `${code}${message ? `: ${message}` : ''}` : `HTTP ${res.status}`;
  return new CliError(`Upload refused by storage: ${error}`, 1, { error, error_type: code ?? 'storage_refused', status: res.status });
}

function parseResponse<T>(res: RawResponse, signed = false): T {
  let body: unknown = undefined;
  try {
    body = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    // not JSON (a proxy's HTML page, say): reported below by status
  }
  if (res.status >= 200 && res.status < 300) {
    if (body === undefined && res.text) throw new CliError(`The server answered HTTP ${res.status} with a body that is not JSON`);
    return body as T;
  }
  const message = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : `The server answered HTTP ${res.status}`;
  const hint = res.status === 401 ? (signed ? ' (check the API key: `manuel keys list`, or `manuel login --api-key KEYID:SECRET`)' : ' (run `manuel login`)') : '';
  throw new CliError(`${message}${hint}`, 1, body);
}
