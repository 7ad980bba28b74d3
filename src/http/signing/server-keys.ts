import { createHash } from 'node:crypto';

export interface ServerKey {
  /** First 16 hex digits of the SHA-256 of the secret's UTF-8 bytes. */
  keyId: string;
  /** The HMAC key: the secret's UTF-8 bytes. */
  key: Buffer;
}

export const serverKeyId = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16);

/** `HMACSigningKey`: comma-separated secrets, newest first; every listed one is accepted (rotation). */
export function parseServerKeys(parameter: string): ServerKey[] {
  return parameter
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((secret) => ({ keyId: serverKeyId(secret), key: Buffer.from(secret, 'utf8') }));
}
