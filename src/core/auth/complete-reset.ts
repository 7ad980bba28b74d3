import { normaliseEmail, profileOf, type AuthDeps, type Session, toSession } from './auth-session.js';

/**
 * The second step of a forced reset: login answered 'password_reset_required' with a session (an
 * account imported into Cognito signing in with its temporary password); the new password is set and
 * the account signed in, with the same session fields as login. Throttled like login: a session is a
 * credential too.
 */
export async function completeReset(deps: AuthDeps, input: { email: string; session: string; newPassword: string; clientIp?: string }): Promise<Session> {
  const email = normaliseEmail(input.email);
  const clientIp = input.clientIp ?? 'unknown';
  await deps.throttle?.beforeLogin(email, clientIp);
  const { userId, tokens } = await deps.identity.completeReset({ email, session: input.session, newPassword: input.newPassword });
  await deps.throttle?.loginSucceeded(email, clientIp);
  return toSession(tokens, await profileOf(deps, userId, email));
}
