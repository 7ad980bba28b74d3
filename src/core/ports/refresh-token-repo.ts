/** Refresh tokens, stored only as hashes so a leaked database cannot mint sessions. */
export interface RefreshTokenRecord {
  tokenHash: string;
  userId: string;
  createdAt: string; // ISO 8601
  expiresAt: string; // ISO 8601
}

export type ConsumeResult =
  | { status: 'ok'; userId: string }
  | { status: 'reused'; userId: string } // already rotated: a sign of theft
  | { status: 'expired' | 'unknown' };

export interface RefreshTokenRepo {
  save(record: RefreshTokenRecord): Promise<void>;
  /** Atomically mark the token used (rotation): a second consume of the same token reports 'reused'. */
  consume(tokenHash: string, nowIso: string): Promise<ConsumeResult>;
  /** Forget one token (sign-out): afterwards it is 'unknown', not 'reused'. */
  revoke(tokenHash: string): Promise<boolean>;
  revokeAllForUser(userId: string): Promise<number>;
}
