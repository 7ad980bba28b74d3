import { errors } from '../errors.js';
import { hashRefreshToken, issueSession, type AuthDeps, type Session } from './auth-session.js';

/** Trades a refresh token for a new session; the old refresh token stops working (rotation). */
export async function refresh(deps: AuthDeps, input: { refreshToken: string }): Promise<Session> {
  const result = await deps.refreshTokens.consume(hashRefreshToken(input.refreshToken), deps.clock.now().toISOString());
  if (result.status === 'reused') {
    // A rotated token came back: someone holds a copy. End every session of that user.
    await deps.refreshTokens.revokeAllForUser(result.userId);
    throw errors.unauthorized('Refresh token already used; please sign in again');
  }
  if (result.status !== 'ok') throw errors.unauthorized('Invalid or expired refresh token');
  const user = await deps.users.byId(result.userId);
  if (!user) throw errors.unauthorized('Invalid or expired refresh token');
  return issueSession(deps, user);
}
