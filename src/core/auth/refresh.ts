import { errors } from '../errors.js';
import { toSession, type AuthDeps, type Session } from './auth-session.js';

/** Trades a refresh token for a new session (the local provider rotates the refresh token). */
export async function refresh(deps: AuthDeps, input: { refreshToken: string }): Promise<Session> {
  const { userId, tokens } = await deps.identity.refresh(input.refreshToken);
  const user = await deps.users.byId(userId);
  if (!user) throw errors.unauthorized('Invalid or expired refresh token');
  return toSession(tokens, user);
}
