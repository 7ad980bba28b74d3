import type { ErrorCode } from '../core/errors.js';

/** THE table from error code to HTTP status. Nothing else in the code base picks a status for an error. */
export const errorStatus: Record<ErrorCode, number> = {
  validation_error: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  password_reset_required: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  audio_too_long: 413,
  not_a_pdf: 415,
  unsupported_media_type: 415,
  url_not_allowed: 400,
  invalid_audio: 400,
  download_failed: 422,
  invalid_pdf: 422,
  encrypted_pdf: 422,
  pdf_bomb: 422,
  pdf_timeout: 422,
  quarantined: 403,
  no_text: 422,
  no_speech: 422,
  quota_exceeded: 429,
  rate_limited: 429,
  request_blocked: 403,
  invalid_signature: 401,
  ip_not_allowed: 403,
  storage_error: 500,
  upload_expired: 410,
  upload_incomplete: 409,
  checksum_mismatch: 422,
  size_mismatch: 422,
  internal_error: 500,
  upstream_error: 502,
  unavailable: 503,
};

/** For errors raised by Hono itself (HTTPException) that carry only a status. */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'validation_error';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal_error' : 'validation_error';
  }
}
