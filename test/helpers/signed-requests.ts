import { signRequest, type SignOptions, type SigningCredentials } from '../../src/http/signing/request-signer.js';

export interface SignedInit {
  method?: string;
  json?: unknown;
  /** Exact bytes to send (multipart etc.); with `contentType`. */
  body?: Uint8Array<ArrayBuffer>;
  contentType?: string;
  headers?: Record<string, string>;
  sign?: SignOptions;
}

/** The headers of a request signed with `creds` (RFC 9421, hmac-sha256), and the body to send. */
export async function signedRequest(baseUrl: string, path: string, creds: SigningCredentials, init: SignedInit = {}) {
  const body = init.json !== undefined ? new Uint8Array(Buffer.from(JSON.stringify(init.json))) : init.body;
  const method = init.method ?? (body ? 'POST' : 'GET');
  const headers: Record<string, string> = { ...init.headers };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  else if (init.contentType) headers['content-type'] = init.contentType;
  Object.assign(headers, await signRequest({ method, url: baseUrl + path, headers, body }, creds, init.sign));
  return { method, headers, body };
}

/** fetch() of a signed request; `tamper` may change what is sent after signing. */
export async function signedFetch(
  baseUrl: string,
  path: string,
  creds: SigningCredentials,
  init: SignedInit & { tamper?: (r: { path: string; method: string; headers: Record<string, string>; body?: Uint8Array<ArrayBuffer> }) => void } = {},
): Promise<Response> {
  const signed = await signedRequest(baseUrl, path, creds, init);
  const sent = { path, ...signed };
  init.tamper?.(sent);
  return fetch(baseUrl + sent.path, { method: sent.method, headers: sent.headers, body: sent.body });
}
