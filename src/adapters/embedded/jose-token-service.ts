import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { ConfigError } from '../../config/parameters.js';
import { errors } from '../../core/errors.js';
import type { IssuedTokens, TokenClaims, TokenService } from '../../core/ports/token-service.js';

const ISSUER = 'manuel';
const AUDIENCE = 'manuel-api';

/** How long a verified token is taken on trust without checking its signature again (never past its `exp`). */
const VERIFIED_TTL_MS = 60_000;
/** Tokens remembered at once (~0.5 KB each); the oldest is dropped first. */
const VERIFIED_MAX = 10_000;

/**
 * HS256 JWTs. The id token carries profile claims like Cognito's; both kinds are accepted as bearer.
 *
 * Verification is on every API request, so two things keep it cheap: the key is imported once (jose
 * would import a raw secret as a CryptoKey on every call), and a token whose signature and claims
 * were verified is remembered, by its exact text, for up to a minute and never past its expiry.
 * Remembering changes nothing a client can observe: tokens cannot be revoked before they expire
 * (logout revokes the refresh token), a forged or tampered token is a different string that was
 * never verified, and failures are not remembered.
 */
export class JoseTokenService implements TokenService {
  private readonly key: Uint8Array;
  private cryptoKey: Promise<CryptoKey> | null = null;
  private readonly verified = new Map<string, { claims: TokenClaims; until: number }>();
  constructor(
    secret: string | Uint8Array,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (this.key.length < 32) throw new Error('JWT secret must be at least 32 bytes');
  }

  private signingKey(): Promise<CryptoKey> {
    return (this.cryptoKey ??= crypto.subtle.importKey('raw', new Uint8Array(this.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
  }

  async issue(user: { id: string; email: string; name: string | null; isAdmin: boolean }): Promise<IssuedTokens> {
    const key = await this.signingKey();
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ ...claims, email: user.email, admin: user.isAdmin })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setJti(randomBytes(12).toString('base64url'))
        .setExpirationTime(`${this.ttlSeconds}s`)
        .sign(key);
    const [idToken, accessToken] = await Promise.all([sign({ token_use: 'id', name: user.name }), sign({ token_use: 'access' })]);
    return { idToken, accessToken, expiresIn: this.ttlSeconds };
  }

  async verify(token: string): Promise<TokenClaims> {
    const now = this.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return { ...known.claims };
    if (known) this.verified.delete(token);
    try {
      const { payload } = await jwtVerify(token, await this.signingKey(), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(now) });
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string') throw errors.unauthorized('Malformed token');
      const claims: TokenClaims = {
        userId: payload.sub,
        email: payload.email,
        isAdmin: payload.admin === true,
        tokenUse: payload.token_use === 'id' ? 'id' : 'access',
      };
      if (typeof payload.exp === 'number') this.remember(token, claims, Math.min(payload.exp * 1000, now + VERIFIED_TTL_MS));
      return { ...claims };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw errors.unauthorized('Token expired');
      throw errors.unauthorized('Invalid token');
    }
  }

  private remember(token: string, claims: TokenClaims, until: number): void {
    if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { claims, until });
  }
}

/**
 * The signing secret: the JwtSecret parameter when set, else one generated on first start and kept
 * in `<dataDir>/jwt-secret` (mode 0600) so tokens survive restarts.
 */
export function loadJwtSecret(parameterValue: string, dataDir: string): string {
  if (parameterValue) {
    if (Buffer.byteLength(parameterValue) < 32) throw new ConfigError('Invalid parameter JwtSecret: must be at least 32 characters');
    return parameterValue;
  }
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  // Several processes may start at once on one data dir: each writes a whole candidate to its own
  // file, and link() publishes it atomically only if no other process won. Losers read the winner's,
  // which is complete by construction (never a half-written file).
  const candidate = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(candidate, secret + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(candidate, file);
    return secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return readFileSync(file, 'utf8').trim();
  } finally {
    unlinkSync(candidate);
  }
}
