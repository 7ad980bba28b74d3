import { isBrokenCircuitError, isIsolatedCircuitError } from 'cockatiel';
import { isManuelError } from '../../core/errors.js';

/** Socket and resolver errors that say "try again" rather than "this will never work". */
const TRANSIENT_CAUSES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** An HTTP status worth retrying: the server's fault or "slow down", never a client error. */
export const isTransientStatus = (status: number): boolean => status >= 500 || status === 429 || status === 408;

const isOpenBreaker = (e: unknown) => isBrokenCircuitError(e) || isIsolatedCircuitError(e);

/**
 * The model endpoints (answers, transcription): a status the adapter saw decides; a coded upstream error
 * without one (timed out, unreachable, a body that is not what was asked) is transient; an open breaker
 * is not (retrying it would only spin).
 */
export function isTransientUpstream(e: unknown): boolean {
  if (isOpenBreaker(e)) return false;
  if (isManuelError(e)) {
    const status = e.details?.upstream_status;
    if (typeof status === 'number') return isTransientStatus(status);
    return e.code === 'upstream_error';
  }
  return true; // an uncoded error on the way out (abort, socket): transient
}

/**
 * URL import: connection errors, 5xx and 429 only. Never a 4xx, an address refused by the SSRF guard,
 * a file over the cap, too many redirects, or the download's own deadline.
 */
export function isTransientDownload(e: unknown): boolean {
  if (!isManuelError(e) || e.code !== 'download_failed') return false;
  const status = e.details?.upstream_status;
  if (typeof status === 'number') return isTransientStatus(status);
  const cause = e.details?.cause;
  return typeof cause === 'string' && TRANSIENT_CAUSES.has(cause);
}

/** Redis: every failure of a command (closed connection, time-out) is the server's; an open breaker is not counted again. */
export const isRedisFailure = (e: unknown): boolean => !isOpenBreaker(e);
