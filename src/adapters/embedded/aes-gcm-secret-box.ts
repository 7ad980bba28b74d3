import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../core/ports/secret-box.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a key derived (HKDF-SHA256) from a server secret, so the database alone (a backup,
 * a copied file) does not reveal API-key secrets. Format: `v1.<base64url(iv | tag | ciphertext)>`;
 * the context is the GCM additional data, so a sealed value moved to another record fails to open.
 */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;
  constructor(serverSecret: string | Uint8Array, purpose = 'manuel api-key secrets') {
    const ikm = typeof serverSecret === 'string' ? Buffer.from(serverSecret, 'utf8') : Buffer.from(serverSecret);
    if (ikm.length < 32) throw new Error('The server secret for sealing must be at least 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), `${purpose} ${VERSION}`, 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const [version, data] = sealed.split('.');
    if (version !== VERSION || !data) throw new Error('Unknown sealed-secret format');
    const raw = Buffer.from(data, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('Sealed secret too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
