/** Coded errors thrown by the core. HTTP status lives in src/http/error-map.ts, nowhere else. */

export const ErrorCodes = [
  'validation_error',
  'malformed_json',
  'unauthorized',
  'password_reset_required',
  'forbidden',
  'not_found',
  'conflict',
  'not_a_pdf',
  'payload_too_large',
  'unsupported_media_type',
  'quota_exceeded',
  'rate_limited',
  'request_blocked',
  'invalid_signature',
  'ip_not_allowed',
  'url_not_allowed',
  'download_failed',
  'invalid_pdf',
  'encrypted_pdf',
  'pdf_bomb',
  'pdf_timeout',
  'quarantined',
  'no_text',
  'no_speech',
  'invalid_audio',
  'audio_too_long',
  'upstream_error',
  'unavailable',
  'storage_error',
  'upload_expired',
  'upload_incomplete',
  'checksum_mismatch',
  'size_mismatch',
  'internal_error',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class ManuelError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** `cause`: the underlying error, for logs and error tracking only (never in a response). */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ManuelError';
    this.code = code;
    this.details = details;
  }
}

export const isManuelError = (e: unknown): e is ManuelError => e instanceof ManuelError;

export const errors = {
  validation: (message: string, details?: Record<string, unknown>) => new ManuelError('validation_error', message, details),
  unauthorized: (message = 'A valid bearer token is required') => new ManuelError('unauthorized', message),
  /** The password was right but must be replaced first (an imported Cognito account): POST /api/auth/complete-reset with `session`. */
  passwordResetRequired: (session: string) =>
    new ManuelError('password_reset_required', 'This account must set a new password: POST /api/auth/complete-reset with this session and a new password', { session }),
  forbidden: (message = 'Not allowed') => new ManuelError('forbidden', message),
  notFound: (what: string) => new ManuelError('not_found', `${what} not found`),
  conflict: (message: string) => new ManuelError('conflict', message),
  notAPdf: () => new ManuelError('not_a_pdf', 'The file is not a PDF (its first bytes are not %PDF-)'),
  tooLarge: (limitBytes: number) =>
    new ManuelError('payload_too_large', `The upload exceeds the limit of ${Number((limitBytes / 1048576).toFixed(2))} MB`, { limit_bytes: limitBytes }),
  quotaExceeded: (details: Record<string, unknown>) => new ManuelError('quota_exceeded', 'Quota exceeded', details),
  urlNotAllowed: (reason: string) => new ManuelError('url_not_allowed', reason),
  downloadFailed: (reason: string, details?: Record<string, unknown>) => new ManuelError('download_failed', reason, details),
  invalidPdf: (reason: string) => new ManuelError('invalid_pdf', reason),
  encryptedPdf: () => new ManuelError('encrypted_pdf', 'The PDF is encrypted or password-protected'),
  noText: () => new ManuelError('no_text', 'The PDF has no extractable text (scanned pages need OCR, not supported yet)'),
  noSpeech: () => new ManuelError('no_speech', 'No speech was detected in the audio'),
  invalidAudio: (reason: string) => new ManuelError('invalid_audio', reason),
  unsupportedMedia: (reason: string) => new ManuelError('unsupported_media_type', reason),
  audioTooLong: (limitSeconds: number) => new ManuelError('audio_too_long', `Audio is longer than ${limitSeconds} s`, { limit_seconds: limitSeconds }),
  upstream: (message: string) => new ManuelError('upstream_error', message),
  unavailable: (message: string) => new ManuelError('unavailable', message),
  /** A write to file/object storage failed; whatever was written has been removed. */
  uploadExpired: () => new ManuelError('upload_expired', 'The upload has expired: start a new one with POST /api/manuals/uploads'),
  uploadIncomplete: () => new ManuelError('upload_incomplete', 'The file has not been sent yet: PUT it to the upload url first'),
  checksumMismatch: (declared: string, actual: string) =>
    new ManuelError('checksum_mismatch', 'The file received does not have the declared sha256; nothing was kept', { declared, actual }),
  sizeMismatch: (declared: number, actual: number) =>
    new ManuelError('size_mismatch', `The file received has ${actual} bytes, not the declared ${declared}; nothing was kept`, { declared, actual }),
  storage: (cause: unknown) => new ManuelError('storage_error', 'The file could not be stored; nothing was kept. Try again later.', undefined, { cause }),
  rateLimited: (message: string, retryAfterSeconds: number, details?: Record<string, unknown>) =>
    new ManuelError('rate_limited', message, { ...details, retry_after_seconds: retryAfterSeconds }),
  requestBlocked: (rule: string) => new ManuelError('request_blocked', 'The request was blocked by a security rule', { rule }),
  invalidSignature: (reason: string) => new ManuelError('invalid_signature', `Invalid request signature: ${reason}`, { reason }),
  ipNotAllowed: () => new ManuelError('ip_not_allowed', 'Requests from this address are not allowed'),
  /** A PDF built to exhaust a reader (or its inspection): `reason` names the limit it broke. */
  pdfBomb: (reason: string, message: string) => new ManuelError('pdf_bomb', `The PDF was rejected as unsafe: ${message}`, { reason }),
  /** The reader made no progress for `ms` (a page that loops the parser, or a machine too busy): retried, then dead-lettered. */
  pdfTimeout: (ms: number) => new ManuelError('pdf_timeout', `Reading the PDF made no progress for ${ms} ms`, { timeout_ms: ms }),
  quarantined: (reason: string) =>
    new ManuelError('quarantined', 'This manual is quarantined: its original file is withheld until an admin releases it', { reason }),
};
