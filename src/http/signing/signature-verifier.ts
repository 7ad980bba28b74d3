import { createVerifier, ExpiredError, httpbis, type SignatureParameters, type VerifyingKey } from 'http-message-signatures';
import { errors } from '../../core/errors.js';

/** What the server checks; the defaults are Manuel's profile (issue 7 §4). */
export interface VerifyPolicy {
  /** The HMAC key of a keyid (its secret's bytes), or null when the keyid is unknown. */
  lookupKey(keyId: string): Promise<Uint8Array | null>;
  nowSeconds: number;
  /** `created` may be this far in the past or the future. */
  toleranceSeconds: number;
  requiredParams: readonly string[];
  requiredFields: readonly string[];
}

export interface VerifiableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface VerifiedSignature {
  keyId: string;
  nonce: string | undefined;
  created: number;
}

/** A refusal raised inside the library's key lookup, carried out to the caller with its reason. */
class Refusal extends Error {}

/**
 * Verifies the one RFC 9421 signature of a request: parsing, signature base and the constant-time
 * HMAC comparison are http-message-signatures'; the policy (one signature, parameters, time window,
 * keys) is ours, checked in the key lookup so each refusal says why. Throws `invalid_signature`.
 */
export async function verifyRequestSignature(req: VerifiableRequest, policy: VerifyPolicy): Promise<VerifiedSignature> {
  const headers = req.headers;
  if (!headers['signature-input'] && !headers['signature']) throw errors.invalidSignature('missing signature');
  if (!headers['signature-input'] || !headers['signature']) throw errors.invalidSignature('both Signature and Signature-Input are required');

  let seen: VerifiedSignature | null = null;
  let labels = 0;
  // The library looks up the keys of all labels at once, before any await: count them synchronously.
  // Every lookup after the first fails, and so does the whole verification (the last label decides).
  const keyLookup = async (params: SignatureParameters): Promise<VerifyingKey | null> => {
    if (++labels > 1) throw new Refusal('exactly one signature is accepted');
    for (const name of policy.requiredParams) if (params[name] === undefined) throw new Refusal(`missing signature parameter "${name}"`);
    if (params.alg !== undefined && params.alg !== 'hmac-sha256') throw new Refusal('alg must be "hmac-sha256"');
    const created = params.created instanceof Date ? params.created.getTime() / 1000 : NaN;
    if (policy.requiredParams.includes('created')) {
      if (!Number.isInteger(created)) throw new Refusal('created must be an integer');
      if (Math.abs(policy.nowSeconds - created) > policy.toleranceSeconds) throw new Refusal(`created is more than ${policy.toleranceSeconds} s away from the server's time`);
    }
    if (typeof params.keyid !== 'string' || !params.keyid) throw new Refusal('missing keyid');
    if (params.nonce !== undefined && (typeof params.nonce !== 'string' || params.nonce.length < 8 || params.nonce.length > 128)) {
      throw new Refusal('nonce must be a string of 8 to 128 characters');
    }
    const key = await policy.lookupKey(params.keyid);
    if (!key) throw new Refusal('unknown keyid');
    seen = { keyId: params.keyid, nonce: params.nonce as string | undefined, created };
    return { id: params.keyid, algs: ['hmac-sha256'], verify: createVerifier(Buffer.from(key), 'hmac-sha256') };
  };

  let ok: boolean | null;
  try {
    ok = await httpbis.verifyMessage(
      {
        keyLookup,
        requiredParams: [...policy.requiredParams],
        requiredFields: [...policy.requiredFields],
        notAfter: Number.MAX_SAFE_INTEGER, // the time window is checked above, against policy.nowSeconds
        tolerance: 0,
      },
      { method: req.method, url: req.url, headers },
    );
  } catch (e) {
    throw errors.invalidSignature(reasonOf(e, policy));
  }
  if (ok !== true || !seen) throw errors.invalidSignature('signature does not match');
  return seen;
}

function reasonOf(e: unknown, policy: VerifyPolicy): string {
  if (e instanceof Refusal) return e.message;
  const message = e instanceof Error ? e.message : String(e);
  if (message === 'Missing required signed fields') return `the signature must cover ${policy.requiredFields.map((f) => `"${f}"`).join(' ')}`;
  if (message === 'Missing required signature parameters') return `missing one of the signature parameters ${policy.requiredParams.join(', ')}`;
  if (/^No header "([^"]+)"/.test(message)) return `a covered header is missing: ${message}`;
  if (e instanceof ExpiredError) return 'signature expired';
  return `malformed signature (${message})`;
}
