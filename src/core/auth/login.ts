import { errors } from '../errors.js';
import { issueSession, normaliseEmail, type AuthDeps, type Session } from './auth-session.js';

/** A well-formed hash of a random password: verifying against it costs as much as a real check. */
let decoyHash: Promise<string> | null = null;

export async function login(deps: AuthDeps, input: { email: string; password: string }): Promise<Session> {
  const user = await deps.users.byEmail(normaliseEmail(input.email));
  if (!user) {
    // Spend the same time as a wrong password so response times don't reveal which emails exist.
    decoyHash ??= deps.hasher.hash(`decoy-${Math.random()}`);
    await deps.hasher.verify(input.password, await decoyHash);
    throw errors.unauthorized('Invalid email or password');
  }
  if (!(await deps.hasher.verify(input.password, user.passwordHash))) throw errors.unauthorized('Invalid email or password');
  return issueSession(deps, user);
}
