import { errors } from '../errors.js';
import type { User } from '../model/types.js';
import { decideAdmin, normaliseEmail, toSession, type AuthDeps, type Session } from './auth-session.js';

export const MIN_PASSWORD_LENGTH = 8;

/** Creates an account and signs it in. The first account, or the one named by AdminEmail, is admin. */
export async function signup(deps: AuthDeps, input: { email: string; password: string; name?: string | null; clientIp?: string }): Promise<Session> {
  await deps.throttle?.beforeSignup(input.clientIp ?? 'unknown');
  const email = normaliseEmail(input.email);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw errors.validation(`password must have at least ${MIN_PASSWORD_LENGTH} characters`, { field: 'password' });
  }
  if (await deps.users.byEmail(email)) throw errors.conflict('An account with this email already exists');
  const isAdmin = await decideAdmin(deps, email);
  const name = input.name?.trim() || null;
  const created = await deps.identity.signUp({ email, password: input.password, name, isAdmin });
  const user: User = { id: created.userId, email, name, passwordHash: created.passwordHash, isAdmin, createdAt: deps.clock.now().toISOString() };
  await deps.users.create(user); // a concurrent duplicate still fails here with 'conflict'
  return toSession(created.tokens, user);
}
