import type { TokenClaims } from './token-service.js';

/** Tokens of a signed-in session, as the identity provider issued them. */
export interface ProviderTokens {
  idToken: string;
  accessToken: string;
  /** Locally a fresh single-use token on every call; Cognito keeps the same one unless rotation is on. */
  refreshToken: string;
  expiresIn: number; // seconds until the id and access tokens expire
}

export interface NewAccount {
  email: string; // already normalised
  password: string;
  name: string | null;
  /** Decided by the core; a provider that puts it in its tokens (the local one) needs it now. */
  isAdmin: boolean;
}

/** An account moved from another deployment (admin import, docs/decisions/0028). */
export interface AdoptedAccount {
  email: string; // already normalised
  name: string | null;
  isAdmin: boolean;
  /** The source's stored password hash and its scheme (`scrypt`); null when the source keeps none (Cognito). */
  passwordHash: string | null;
  hashScheme: string | null;
}

/**
 * Who holds the credentials and mints the tokens: scrypt + JWT + refresh-token table locally,
 * Cognito on AWS. The user profile (name, admin flag) stays in UserRepo, keyed by the id given here.
 * Errors are coded: 'conflict' (email taken), 'validation_error' (password refused by the
 * provider's policy), 'unauthorized' (bad credentials, unknown/expired/revoked refresh token),
 * 'password_reset_required' (right password, but the account must set a new one first: details.session).
 */
export interface IdentityProvider {
  /** Creates the account's credentials and signs it in. `passwordHash` goes into the profile ('' when the provider keeps it). */
  signUp(account: NewAccount): Promise<{ userId: string; passwordHash: string; tokens: ProviderTokens }>;
  login(input: { email: string; password: string }): Promise<{ userId: string; tokens: ProviderTokens }>;
  refresh(refreshToken: string): Promise<{ userId: string; tokens: ProviderTokens }>;
  /** The refresh token stops working. Idempotent: an unknown token is fine. */
  logout(refreshToken: string): Promise<void>;
  /**
   * Creates credentials for an account from another deployment, without its password. The hash is
   * kept when this provider stores that scheme (`passwordMoved`); otherwise the account must set a new
   * password (Cognito: created in FORCE_CHANGE_PASSWORD with an emailed temporary one).
   */
  adopt(account: AdoptedAccount): Promise<{ userId: string; passwordHash: string; passwordMoved: boolean }>;
  /**
   * Ends a forced reset (an imported account's first sign-in): `session` is the one login's
   * 'password_reset_required' error carried; the new password is set and the account signed in.
   * A provider that never forces a reset (the local one) answers 'unauthorized' to every session.
   */
  completeReset(input: { email: string; session: string; newPassword: string }): Promise<{ userId: string; tokens: ProviderTokens }>;
  /**
   * The account's credentials are gone and every session it holds ends (refresh tokens refused;
   * bearer tokens fail verify() once the profile is deleted too). Idempotent: an unknown account is fine.
   */
  deleteAccount(account: { userId: string; email: string }): Promise<void>;
  /** Throws ManuelError('unauthorized') for a forged, expired or malformed bearer token, or one of a deleted user. */
  verify(token: string): Promise<TokenClaims>;
}
