import type { User } from '../model/types.js';
import type { AuthThrottle } from '../ports/auth-throttle.js';
import type { Clock } from '../ports/clock.js';
import type { IdentityProvider, ProviderTokens } from '../ports/identity-provider.js';
import type { UserRepo } from '../ports/user-repo.js';

export interface AuthDeps {
  /** Profiles (name, admin flag), keyed by the identity provider's user id. */
  users: UserRepo;
  /** Credentials and tokens: scrypt + JWT locally, Cognito on AWS. */
  identity: IdentityProvider;
  clock: Clock;
  /** Brute-force protection of login and signup; absent: none (unit tests). */
  throttle?: AuthThrottle;
  settings: { adminEmail: string };
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

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export function toSession(tokens: ProviderTokens, user: User): Session {
  return {
    id_token: tokens.idToken,
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_in: tokens.expiresIn,
    token_type: 'Bearer',
    user: { id: user.id, email: user.email, name: user.name, is_admin: user.isAdmin },
  };
}

/** The first account, or the one named by AdminEmail, is admin. */
export async function decideAdmin(deps: Pick<AuthDeps, 'users' | 'settings'>, email: string): Promise<boolean> {
  const adminEmail = normaliseEmail(deps.settings.adminEmail);
  return (adminEmail !== '' && adminEmail === email) || (await deps.users.count()) === 0;
}

/**
 * The profile of a user the provider has just authenticated. A provider that keeps credentials
 * outside UserRepo (Cognito) can hold an account whose profile write failed after sign-up: the
 * account proved its password, so its profile is created now rather than locking it out.
 */
export async function profileOf(deps: AuthDeps, userId: string, email: string): Promise<User> {
  const user = await deps.users.byId(userId);
  if (user) return user;
  const created: User = { id: userId, email, name: null, passwordHash: '', isAdmin: await decideAdmin(deps, email), createdAt: deps.clock.now().toISOString() };
  await deps.users.create(created);
  return created;
}
