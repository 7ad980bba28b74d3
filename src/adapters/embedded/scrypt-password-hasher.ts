import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../../core/ports/password-hasher.js';

const scryptAsync = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

export interface ScryptParams {
  N: number; // CPU/memory cost (power of two)
  r: number;
  p: number;
  keyLength: number;
}

// N=2^15 costs ~32 MB and tens of ms per check: slow for a guesser, fine for a login.
const DEFAULTS: ScryptParams = { N: 32768, r: 8, p: 1, keyLength: 64 };

/** Stored format: `scrypt$N$r$p$<salt b64>$<key b64>` so parameters can be raised later without breaking old hashes. */
export class ScryptPasswordHasher implements PasswordHasher {
  private readonly params: ScryptParams;
  constructor(params: Partial<ScryptParams> = {}) {
    this.params = { ...DEFAULTS, ...params };
  }

  async hash(password: string): Promise<string> {
    const { N, r, p, keyLength } = this.params;
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt, keyLength, { N, r, p, maxmem: 256 * N * r });
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
    if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20) return false;
    const salt = Buffer.from(parts[4]!, 'base64');
    const expected = Buffer.from(parts[5]!, 'base64');
    if (expected.length === 0) return false;
    const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
    return timingSafeEqual(key, expected);
  }
}
