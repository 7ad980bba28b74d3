/** What a verified bearer token says about its caller. */
export interface TokenClaims {
  userId: string;
  email: string;
  isAdmin: boolean;
  tokenUse: 'id' | 'access';
}

export interface IssuedTokens {
  idToken: string;
  accessToken: string;
  expiresIn: number; // seconds
}

/** Signed, expiring bearer tokens (JWT locally, Cognito on AWS). */
export interface TokenService {
  issue(user: { id: string; email: string; name: string | null; isAdmin: boolean }): Promise<IssuedTokens>;
  /** Throws ManuelError('unauthorized') for a forged, expired or malformed token. */
  verify(token: string): Promise<TokenClaims>;
}
