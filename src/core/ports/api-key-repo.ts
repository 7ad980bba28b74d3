/**
 * Per-user API keys for signed (RFC 9421, hmac-sha256) requests. HMAC verification needs the secret
 * itself, so it is kept sealed (see SecretBox), never in clear; its SHA-256 identifies it in exports.
 */
export interface ApiKeyRecord {
  keyId: string;
  userId: string;
  name: string;
  /** The secret sealed by a SecretBox (opaque to the repo). */
  sealedSecret: string;
  /** Hex SHA-256 of the secret's UTF-8 bytes: checks an unsealed secret and names it without revealing it. */
  secretSha256: string;
  createdAt: string; // ISO 8601
}

export interface ApiKeyRepo {
  /** Throws ManuelError('conflict') when the key id exists. */
  create(record: ApiKeyRecord): Promise<void>;
  byId(keyId: string): Promise<ApiKeyRecord | null>;
  /** The user's keys, oldest first. */
  listForUser(userId: string): Promise<ApiKeyRecord[]>;
  /** Every user's keys, oldest first: for admin exports only (the caller checks). */
  listAll(): Promise<ApiKeyRecord[]>;
  /** Deletes the key only when it belongs to `userId`; false when there is no such key of theirs. */
  delete(userId: string, keyId: string): Promise<boolean>;
}
