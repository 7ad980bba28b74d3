import { createHash, randomBytes } from 'node:crypto';
import type { User } from '../model/types.js';
import type { AuthThrottle } from '../ports/auth-throttle.js';
import type { Clock } from '../ports/clock.js';
import type { PasswordHasher } from '../ports/password-hasher.js';
import type { RefreshTokenRepo } from '../ports/refresh-token-repo.js';
import type { TokenService } from '../ports/token-service.js';
import type { UserRepo } from '../ports/user-repo.js';

export interface AuthDeps {
  users: UserRepo;
  hasher: PasswordHasher;
  tokens: TokenService;
  refreshTokens: RefreshTokenRepo;
  clock: Clock;
  /** Brute-force protection of login and signup; absent: none (unit tests). */
  throttle?: AuthThrottle;
  settings: { adminEmail: string; refreshTokenTtlDays: number };
}

/** The answer of signup, login and refresh (field names of the original Cognito-backed API). */
export interface Session {
  id_token: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: 'Bearer';
  user: { id: string; email: string; name: string | null; is_admin: boolean };
}

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** New access/id tokens plus a fresh single-use refresh token. */
export async function issueSession(deps: AuthDeps, user: User): Promise<Session> {
  const issued = await deps.tokens.issue(user);
  // 256 random bits: guessing is hopeless, so a plain sha256 is enough to store it.
  const refresh = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  await deps.refreshTokens.save({
    tokenHash: hashRefreshToken(refresh),
    userId: user.id,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.settings.refreshTokenTtlDays * 86_400_000).toISOString(),
  });
  return {
    id_token: issued.idToken,
    access_token: issued.accessToken,
    refresh_token: refresh,
    expires_in: issued.expiresIn,
    token_type: 'Bearer',
    user: { id: user.id, email: user.email, name: user.name, is_admin: user.isAdmin },
  };
}
