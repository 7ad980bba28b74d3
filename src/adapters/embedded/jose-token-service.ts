import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { ConfigError } from '../../config/parameters.js';
import { errors } from '../../core/errors.js';
import type { IssuedTokens, TokenClaims, TokenService } from '../../core/ports/token-service.js';

const ISSUER = 'manuel';
const AUDIENCE = 'manuel-api';

/** HS256 JWTs. The id token carries profile claims like Cognito's; both kinds are accepted as bearer. */
export class JoseTokenService implements TokenService {
  private readonly key: Uint8Array;
  constructor(
    secret: string | Uint8Array,
    private readonly ttlSeconds: number,
  ) {
    this.key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
    if (this.key.length < 32) throw new Error('JWT secret must be at least 32 bytes');
  }

  async issue(user: { id: string; email: string; name: string | null; isAdmin: boolean }): Promise<IssuedTokens> {
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT({ ...claims, email: user.email, admin: user.isAdmin })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setJti(randomBytes(12).toString('base64url'))
        .setExpirationTime(`${this.ttlSeconds}s`)
        .sign(this.key);
    const [idToken, accessToken] = await Promise.all([sign({ token_use: 'id', name: user.name }), sign({ token_use: 'access' })]);
    return { idToken, accessToken, expiresIn: this.ttlSeconds };
  }

  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string') throw errors.unauthorized('Malformed token');
      return {
        userId: payload.sub,
        email: payload.email,
        isAdmin: payload.admin === true,
        tokenUse: payload.token_use === 'id' ? 'id' : 'access',
      };
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw errors.unauthorized('Token expired');
      throw errors.unauthorized('Invalid token');
    }
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
