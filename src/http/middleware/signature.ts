import type { Context } from 'hono';
import { apiKeySecret } from '../../core/auth/api-keys.js';
import { errors, isManuelError } from '../../core/errors.js';
import type { ApiKeyRepo } from '../../core/ports/api-key-repo.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Metrics } from '../../core/ports/metrics.js';
import type { NonceStore } from '../../core/ports/nonce-store.js';
import type { SecretBox } from '../../core/ports/secret-box.js';
import type { UserRepo } from '../../core/ports/user-repo.js';
import type { AppEnv, AuthUser } from '../app-env.js';
import type { AppServices } from '../services.js';
import { base64Length, ENVELOPE_BYTES, MB } from './body-limit.js';
import { readCapped } from '../read-capped.js';
import { checkContentDigest } from '../signing/content-digest.js';
import { BASE_COMPONENTS, SIGNATURE_PARAMS } from '../signing/request-signer.js';
import { parseServerKeys, type ServerKey } from '../signing/server-keys.js';
import { verifyRequestSignature, type VerifiedSignature } from '../signing/signature-verifier.js';

export interface SignatureAuthDeps {
  users: UserRepo;
  apiKeys: ApiKeyRepo;
  secretBox: SecretBox;
  nonces: NonceStore;
  clock: Clock;
  metrics: Metrics;
}

export interface SignatureAuthOptions {
  /** HMACSigningKey, parsed (newest first); empty: admin routes need no signature. */
  serverKeys: ServerKey[];
  /** EnableAdvancedSecurity and at least one server key. */
  adminRequiresSignature: boolean;
  /** The largest body a signed request may carry (its digest is checked over the buffered bytes). */
  maxBodyBytes: number;
  /** `created` may be this far from the server's clock (default 300 s). */
  toleranceSeconds?: number;
}

/** Routes that, with server keys and the security flag, need a server-key signature besides an admin token. */
export const isAdminRoute = (path: string): boolean =>
  path === '/api/bootstrap' || path.startsWith('/api/admin/') || path === '/api/admin' || path.startsWith('/health/circuit-breakers/') || path === '/health/deep';

const hasBodyHint = (c: Context) =>
  c.req.method !== 'GET' && c.req.method !== 'HEAD' && (Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding') !== undefined);

/**
 * RFC 9421 (hmac-sha256) checks for the authentication middleware: API-key requests act as the key's
 * user; admin routes may also need a signature with a server key. Each accepted signature's nonce is
 * spent in the NonceStore, so the same signed request is refused the second time.
 */
export class SignatureAuth {
  readonly adminRequiresSignature: boolean;
  private readonly tolerance: number;

  constructor(
    private readonly deps: SignatureAuthDeps,
    private readonly opts: SignatureAuthOptions,
  ) {
    this.adminRequiresSignature = opts.adminRequiresSignature && opts.serverKeys.length > 0;
    this.tolerance = opts.toleranceSeconds ?? 300;
  }

  /** Whether the request carries a signature at all (cheap: two header lookups). */
  present(c: Context): boolean {
    return c.req.header('signature-input') !== undefined || c.req.header('signature') !== undefined;
  }

  /** The user of the API key that signed the request; throws `invalid_signature`. */
  async apiKeyUser(c: Context<AppEnv>): Promise<AuthUser> {
    let userId = '';
    await this.verify(c, 'api_key', async (keyId) => {
      const found = await apiKeySecret(this.deps, keyId);
      if (!found) return null;
      userId = found.userId;
      return Buffer.from(found.secret, 'utf8');
    });
    const user = await this.deps.users.byId(userId);
    if (!user) throw errors.invalidSignature('unknown keyid');
    return { id: user.id, email: user.email, isAdmin: user.isAdmin };
  }

  /** Admin routes: a valid signature with one of the server's keys (any listed one: rotation). */
  async requireServerSignature(c: Context<AppEnv>): Promise<void> {
    await this.verify(c, 'server_key', async (keyId) => this.opts.serverKeys.find((k) => k.keyId === keyId)?.key ?? null);
  }

  private async verify(c: Context<AppEnv>, kind: string, lookupKey: (keyId: string) => Promise<Uint8Array | null>): Promise<VerifiedSignature> {
    try {
      const withBody = hasBodyHint(c);
      const verified = await verifyRequestSignature(
        { method: c.req.method, url: c.req.url, headers: Object.fromEntries(c.req.raw.headers) },
        {
          lookupKey,
          nowSeconds: Math.floor(this.deps.clock.now().getTime() / 1000),
          toleranceSeconds: this.tolerance,
          requiredParams: SIGNATURE_PARAMS,
          requiredFields: withBody ? [...BASE_COMPONENTS, 'content-digest'] : BASE_COMPONENTS,
        },
      );
      const digest = c.req.header('content-digest');
      if (withBody || digest !== undefined) {
        const check = checkContentDigest(digest ?? '', await bufferBody(c, this.opts.maxBodyBytes));
        if (check === 'no-sha-256') throw errors.invalidSignature('content-digest must carry sha-256');
        if (check === 'mismatch') throw errors.invalidSignature('content-digest does not match the body');
      }
      // Spent last, once everything else holds: a refused request does not burn its nonce.
      const fresh = await this.deps.nonces.checkAndRemember(`${verified.keyId}:${verified.nonce}`, 2 * this.tolerance + 1).catch(() => {
        throw errors.unavailable('The replay store is unavailable; try again');
      });
      if (!fresh) throw errors.invalidSignature('nonce already used (replayed request)');
      this.deps.metrics.count('signed_requests_total', { kind, result: 'accepted' });
      return verified;
    } catch (e) {
      if (isManuelError(e) && e.code === 'invalid_signature') {
        this.deps.metrics.count('signed_requests_total', { kind, result: 'rejected' });
        c.get('log')?.info({ reason: e.details?.reason, kind }, 'signed request refused');
      }
      throw e;
    }
  }
}

/** Reads the whole body (capped) for its digest, and puts the bytes back for the route to read. */
async function bufferBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  // Read already (the WAF inspects bodies through Hono's cache): the same bytes, not a second read.
  const cached = (c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer;
  if (cached) {
    const bytes = new Uint8Array(await cached);
    if (bytes.byteLength > maxBytes) throw errors.tooLarge(maxBytes);
    return bytes;
  }
  const raw = c.req.raw;
  if (!raw.body) return new Uint8Array(0);
  if (Number(raw.headers.get('content-length') ?? 0) > maxBytes) throw errors.tooLarge(maxBytes);
  const bytes = await readCapped(raw.body, maxBytes);
  if (!bytes) throw errors.tooLarge(maxBytes);
  c.req.raw = new Request(raw, { body: bytes });
  return bytes;
}

/** The app's signature checks, from the parameters: server keys, the security flag, body caps. */
export function signatureAuthFor(services: AppServices): SignatureAuth {
  const p = services.parameters;
  // Uploads and audio are the largest bodies (as base64 JSON at worst); their own caps still apply later.
  const maxBodyBytes = base64Length(Math.floor(Math.max(p.MaxManualSizeMB, p.MaxAudioSizeMB) * MB)) + ENVELOPE_BYTES;
  return new SignatureAuth(
    { ...services.signing, users: services.users, clock: services.clock, metrics: services.metrics },
    { serverKeys: parseServerKeys(p.HMACSigningKey), adminRequiresSignature: p.EnableAdvancedSecurity, maxBodyBytes },
  );
}
