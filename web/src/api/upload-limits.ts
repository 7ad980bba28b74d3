import { api, ApiError } from './http-client';

/** GET /api/limits: sizes of the files themselves, in bytes. */
export interface Limits {
  max_manual_bytes: number;
  max_audio_bytes: number;
  max_request_bytes: number;
}

let known: Promise<Limits | null> | null = null;
let learned: number | null = null;

/** The largest manual the server accepts: asked once per page load; a 413 teaches it too (see noteRefusal). */
export async function maxManualBytes(): Promise<number | null> {
  known ??= api<Limits>('/api/limits').catch(() => {
    known = null; // an older server or a network hiccup: ask again next time
    return null;
  });
  return (await known)?.max_manual_bytes ?? learned;
}

/** Remembers the limit a 413 reports (`details.limit_bytes`), for the next files. */
export function noteRefusal(e: unknown): void {
  const limit = e instanceof ApiError && e.type === 'payload_too_large' ? e.body.details?.limit_bytes : undefined;
  if (typeof limit === 'number' && limit > 0) learned = limit;
}

export const sizeText = (bytes: number) => (bytes >= 1048576 ? `${Number((bytes / 1048576).toFixed(1))} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

/** Refuses a file over the limit before a byte is sent, with the error the server would give. */
export async function checkManualSize(file: File): Promise<void> {
  const max = await maxManualBytes();
  if (max !== null && file.size > max) {
    throw new ApiError(413, 'payload_too_large', `${file.name} is ${sizeText(file.size)}: this server accepts manuals up to ${sizeText(max)}. It was not sent.`, {
      details: { limit_bytes: max },
    });
  }
}
