import { randomBytes } from 'node:crypto';
import { createSigner, httpbis } from 'http-message-signatures';
import { contentDigest } from './content-digest.js';

/**
 * RFC 9421 request signing with hmac-sha256, shared by the CLI and the tests. The HMAC key is the
 * secret's UTF-8 bytes (an API key's secret, or one of the server's HMACSigningKey secrets).
 */

export interface SignableRequest {
  method: string;
  url: string | URL;
  /** Headers already on the request (only covered ones matter). */
  headers?: Record<string, string>;
  /** The exact body bytes that will be sent; absent or empty: no body. */
  body?: Uint8Array | string | null;
  /** Instead of `body`: its Content-Digest, computed while streaming a large body. */
  contentDigest?: string;
}

export interface SigningCredentials {
  keyId: string;
  /** A string is used as its UTF-8 bytes. */
  secret: string | Uint8Array;
}

export interface SignOptions {
  label?: string;
  created?: Date;
  nonce?: string;
  /** Covered components; default: `@method @path @query` (+ `content-digest` with a body). */
  fields?: string[];
  /** Signature parameters, in order; default: created, nonce, keyid, alg. */
  params?: string[];
}

export const SIGNATURE_PARAMS = ['created', 'nonce', 'keyid', 'alg'] as const;
export const BASE_COMPONENTS = ['@method', '@path', '@query'] as const;

const hasBody = (body: SignableRequest['body']): body is Uint8Array | string => body != null && body.length > 0;

/** The headers to add to the request: `content-digest` (with a body), `signature-input`, `signature`. */
export async function signRequest(req: SignableRequest, creds: SigningCredentials, opts: SignOptions = {}): Promise<Record<string, string>> {
  const added: Record<string, string> = {};
  if (req.contentDigest) added['content-digest'] = req.contentDigest;
  else if (hasBody(req.body)) added['content-digest'] = contentDigest(req.body);
  const headers = { ...req.headers, ...added };
  const key = typeof creds.secret === 'string' ? Buffer.from(creds.secret, 'utf8') : Buffer.from(creds.secret);
  const signed = await httpbis.signMessage(
    {
      key: createSigner(key, 'hmac-sha256', creds.keyId),
      name: opts.label ?? 'sig1',
      fields: opts.fields ?? [...BASE_COMPONENTS, ...(added['content-digest'] ? ['content-digest'] : [])],
      params: opts.params ?? [...SIGNATURE_PARAMS],
      paramValues: { created: opts.created ?? new Date(), nonce: opts.nonce ?? randomBytes(16).toString('base64url') },
    },
    { method: req.method.toUpperCase(), url: String(req.url), headers },
  );
  const out = lowerCaseKeys(signed.headers);
  return { ...added, 'signature-input': out['signature-input']!, signature: out['signature']! };
}

function lowerCaseKeys(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
