import { createHash } from 'node:crypto';
import type { Severity } from '../ports/notifier.js';

/**
 * Replaces what varies between occurrences of one failure (ids, numbers, quoted values, paths, URLs,
 * e-mail addresses) by placeholders, so the same fault groups under one fingerprint whatever the
 * request. Also keeps user data (file names, addresses) out of the stored message.
 */
export function normaliseMessage(message: string): string {
  return message
    .replace(/\bhttps?:\/\/[^\s"'`<>]+/gi, '<url>')
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>')
    .replace(/"[^"\n]*"|'[^'\n]*'|`[^`\n]*`/g, '<str>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@~+-]+){2,}[\\/]?/g, '<path>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>')
    // Generated ids (nanoid, job_3f9a..., base64url tokens): long runs mixing letters and digits.
    .replace(/(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{12,}(?![\w-])/g, '<id>')
    .replace(/\d+(?:[.,:]\d+)*/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** Error type + normalised message + route template or job kind, hashed. */
export function errorFingerprint(errorType: string, normalisedMessage: string, where: string): string {
  return createHash('sha256').update(`${errorType}\n${normalisedMessage}\n${where}`).digest('hex').slice(0, 20);
}

/** Internal faults and an unavailable service need someone now. `storage_error` is an internal fault too. */
const CRITICAL = new Set(['internal_error', 'unavailable', 'service_unavailable', 'storage_error']);
const QUOTA = new Set(['quota_exceeded', 'quota_error']);

/** critical for service-unavailable and internal errors, high for other 5xx and quota failures, medium otherwise. */
export function severityOf(errorType: string, status?: number): Severity {
  if (CRITICAL.has(errorType) || status === 500 || status === 503) return 'critical';
  if ((status !== undefined && status >= 500) || QUOTA.has(errorType)) return 'high';
  return 'medium';
}
