import { errors } from '../errors.js';
import { issueSession, normaliseEmail, type AuthDeps, type Session } from './auth-session.js';

/** A well-formed hash of a random password: verifying against it costs as much as a real check. */
let decoyHash: Promise<string> | null = null;

/** `clientIp` keys the brute-force counters (deps.throttle); unknown emails are counted like known ones. */
export async function login(deps: AuthDeps, input: { email: string; password: string; clientIp?: string }): Promise<Session> {
  const email = normaliseEmail(input.email);
  const clientIp = input.clientIp ?? 'unknown';
  await deps.throttle?.beforeLogin(email, clientIp);
  const user = await deps.users.byEmail(email);
  if (!user) {
    // Spend the same time as a wrong password so response times don't reveal which emails exist.
    decoyHash ??= deps.hasher.hash(`decoy-${Math.random()}`);
    await deps.hasher.verify(input.password, await decoyHash);
    throw errors.unauthorized('Invalid email or password');
  }
  if (!(await deps.hasher.verify(input.password, user.passwordHash))) throw errors.unauthorized('Invalid email or password');
  await deps.throttle?.loginSucceeded(email, clientIp);
  return issueSession(deps, user);
}
