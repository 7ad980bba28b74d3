import { ApiError } from '../api/http-client';

type Context = 'login' | 'signup' | 'upload' | 'ask' | 'voice' | 'general';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Finds a number under any of the given keys, at the top level or one object deep. */
function pick(obj: Record<string, unknown> | undefined, keys: string[]): number | null {
  if (!obj) return null;
  for (const k of keys) if (num(obj[k]) !== null) return obj[k] as number;
  for (const v of Object.values(obj)) {
    if (v && typeof v === 'object') {
      const found = pick(v as Record<string, unknown>, keys);
      if (found !== null) return found;
    }
  }
  return null;
}

function quotaMessage(err: ApiError): string {
  const info = { ...(err.body.details ?? {}), ...(err.body.usage_info ?? {}) } as Record<string, unknown>;
  const period = String(info.quota ?? info.period ?? '');
  const monthly = /month/i.test(period) || /month/i.test(err.message);
  const limit = monthly ? pick(info, ['monthly_limit', 'monthlyLimit', 'limit']) : pick(info, ['daily_limit', 'dailyLimit', 'limit']);
  if (monthly) return `You have used this month's ${limit ?? ''} questions; more on the 1st at 00:00 UTC.`.replace('  ', ' ');
  return `You have used today's ${limit ?? ''} questions; more tomorrow at 00:00 UTC.`.replace('  ', ' ');
}

/** A sentence a person can act on, from any error thrown while talking to the API. Never a stack trace. */
export function friendlyError(e: unknown, context: Context = 'general'): string {
  if (!(e instanceof ApiError)) return 'Something went wrong in the page. Reload it and try again.';
  switch (e.type) {
    case 'network':
      return 'Cannot reach the Manuel server. Check your connection and try again.';
    case 'unauthorized':
      if (context === 'login') return 'Wrong email or password.';
      return 'Your session has ended. Please sign in again.';
    case 'conflict':
      return context === 'signup' ? 'An account with this email already exists. Sign in instead.' : e.message;
    case 'not_a_pdf':
      return 'This file is not a PDF. Choose a .pdf file.';
    case 'unsupported_media_type':
      return context === 'upload' ? 'This file is not a PDF. Choose a .pdf file.' : e.message;
    case 'payload_too_large':
    case 'audio_too_long':
      return e.message;
    case 'quota_exceeded':
      return quotaMessage(e);
    case 'upload_expired':
      return 'The upload took too long and expired. Try again.';
    case 'checksum_mismatch':
    case 'size_mismatch':
      return 'The file changed or was cut off while it was sent; nothing was kept. Try again.';
    case 'rate_limited': {
      const s = e.body.retry_after_seconds;
      return `Too many requests. Try again${s ? ` in ${Math.ceil(s)} s` : ' in a moment'}.`;
    }
    case 'no_speech':
      return "I didn't hear a question. Hold the microphone button while you speak, then release it.";
    case 'invalid_audio':
      return 'The recording could not be read. Try again, or type your question.';
    case 'unavailable':
      return context === 'voice' ? 'Voice questions are not available on this server. Type your question instead.' : e.message;
    case 'not_found':
      return 'Not found: it may have been deleted, or it belongs to another account.';
    case 'validation_error':
    case 'url_not_allowed':
    case 'download_failed':
    case 'invalid_pdf':
    case 'encrypted_pdf':
    case 'no_text':
      return e.message;
    default:
      if (e.status >= 500) return `The server had a problem${e.body.request_id ? ` (request ${e.body.request_id})` : ''}. Try again in a moment.`;
      return e.message || 'The request failed.';
  }
}

/** Failure reason codes of an ingestion job, in words. */
export function failureReason(code: string): string {
  const known: Record<string, string> = {
    invalid_pdf: 'the PDF is damaged or not a PDF',
    not_a_pdf: 'the file is not a PDF',
    encrypted_pdf: 'the PDF is password-protected',
    no_text: 'the PDF has no text (scanned pages are not supported yet)',
    download_failed: 'the download failed',
    pdf_bomb: 'the PDF is built to overwhelm readers and was rejected as unsafe',
  };
  return known[code] ?? code.replace(/_/g, ' ');
}
