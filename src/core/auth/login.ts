import { isManuelError } from '../errors.js';
import { normaliseEmail, profileOf, toSession, type AuthDeps, type Session } from './auth-session.js';

/** `clientIp` keys the brute-force counters (deps.throttle); unknown emails are counted like known ones. */
export async function login(deps: AuthDeps, input: { email: string; password: string; clientIp?: string }): Promise<Session> {
  const email = normaliseEmail(input.email);
  const clientIp = input.clientIp ?? 'unknown';
  await deps.throttle?.beforeLogin(email, clientIp);
  // The provider answers 'unauthorized' with one message for a wrong password and an unknown email.
  const { userId, tokens } = await deps.identity.login({ email, password: input.password }).catch(async (e: unknown) => {
    // The password was right; the account must set a new one (complete-reset): not a failed guess.
    if (isManuelError(e) && e.code === 'password_reset_required') await deps.throttle?.loginSucceeded(email, clientIp);
    throw e;
  });
  await deps.throttle?.loginSucceeded(email, clientIp);
  return toSession(tokens, await profileOf(deps, userId, email));
}
