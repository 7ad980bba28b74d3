import type { AuthDeps } from './auth-session.js';

/**
 * Ends a session on the server: the refresh token is forgotten, so a copy left on a device can no
 * longer mint access tokens (access tokens expire on their own). Idempotent: an unknown token is fine.
 */
export async function logout(deps: Pick<AuthDeps, 'identity'>, input: { refreshToken: string }): Promise<void> {
  await deps.identity.logout(input.refreshToken);
}
