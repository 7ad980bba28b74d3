import { createHash, randomBytes } from 'node:crypto';
import { errors } from '../errors.js';
import type { ApiKeyRecord, ApiKeyRepo } from '../ports/api-key-repo.js';
import type { Clock } from '../ports/clock.js';
import type { SecretBox } from '../ports/secret-box.js';

export interface ApiKeyDeps {
  apiKeys: ApiKeyRepo;
  secretBox: SecretBox;
  clock: Clock;
}

export interface ApiKeySummary {
  key_id: string;
  name: string;
  created_at: string;
}

/** Enough for a few machines and scripts per person; more is a sign of keys that are never revoked. */
export const MAX_KEYS_PER_USER = 25;

export const API_KEY_ID_PREFIX = 'mk_';

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// The sealed secret is bound to its key and user: a row copied onto another user does not open.
const sealContext = (r: Pick<ApiKeyRecord, 'keyId' | 'userId'>) => `api-key:${r.keyId}:${r.userId}`;

const summary = (r: ApiKeyRecord): ApiKeySummary => ({ key_id: r.keyId, name: r.name, created_at: r.createdAt });

/** A new key for the user. The secret is in this answer only: the server keeps it sealed. */
export async function createApiKey(deps: ApiKeyDeps, input: { userId: string; name: string }): Promise<ApiKeySummary & { secret: string }> {
  const existing = await deps.apiKeys.listForUser(input.userId);
  if (existing.length >= MAX_KEYS_PER_USER) throw errors.conflict(`You already have ${MAX_KEYS_PER_USER} API keys: revoke one first`);
  const keyId = API_KEY_ID_PREFIX + randomBytes(12).toString('hex');
  // 256 random bits; the HMAC key is this string's UTF-8 bytes (what clients sign with).
  const secret = 'mks_' + randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    keyId,
    userId: input.userId,
    name: input.name,
    sealedSecret: deps.secretBox.seal(secret, sealContext({ keyId, userId: input.userId })),
    secretSha256: sha256Hex(secret),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.apiKeys.create(record);
  return { ...summary(record), secret };
}

export async function listApiKeys(deps: Pick<ApiKeyDeps, 'apiKeys'>, userId: string): Promise<ApiKeySummary[]> {
  return (await deps.apiKeys.listForUser(userId)).map(summary);
}

/** Revokes one of the caller's own keys; someone else's key is "not found", as if it did not exist. */
export async function revokeApiKey(deps: Pick<ApiKeyDeps, 'apiKeys'>, input: { userId: string; keyId: string }): Promise<void> {
  if (!(await deps.apiKeys.delete(input.userId, input.keyId))) throw errors.notFound('API key');
}

/**
 * The key's owner and secret, for verifying a signature. Null for an unknown key, and for one whose
 * secret no longer opens (the server's secret changed, or the row was tampered with): such a key is dead.
 */
export async function apiKeySecret(deps: Pick<ApiKeyDeps, 'apiKeys' | 'secretBox'>, keyId: string): Promise<{ userId: string; secret: string } | null> {
  if (!keyId.startsWith(API_KEY_ID_PREFIX)) return null;
  const record = await deps.apiKeys.byId(keyId);
  if (!record) return null;
  let secret: string;
  try {
    secret = deps.secretBox.open(record.sealedSecret, sealContext(record));
  } catch {
    return null;
  }
  return sha256Hex(secret) === record.secretSha256 ? { userId: record.userId, secret } : null;
}
