import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 9530 `Content-Digest` with sha-256 over the exact body bytes (the content, not a decoded form). */
export function contentDigest(body: Uint8Array | string): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

export type DigestCheck = 'ok' | 'no-sha-256' | 'mismatch';

/**
 * Checks a Content-Digest field (a structured dictionary, e.g. `sha-512=:…:, sha-256=:…:`) against the
 * body. Only sha-256 counts: other algorithms may be listed, but a field without sha-256 is refused.
 */
export function checkContentDigest(field: string, body: Uint8Array): DigestCheck {
  const match = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]*={0,2}):\s*(?:;[^,]*)?(?=,|$)/.exec(field);
  if (!match) return 'no-sha-256';
  const claimed = Buffer.from(match[1]!, 'base64');
  const actual = createHash('sha256').update(body).digest();
  return claimed.length === actual.length && timingSafeEqual(claimed, actual) ? 'ok' : 'mismatch';
}
