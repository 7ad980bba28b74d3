import { errors } from '../core/errors.js';

const isJson = (ct: string) => /^application\/([\w.+-]*\+)?json\b/i.test(ct.trim());
const isMultipart = (ct: string) => /^multipart\/form-data\b/i.test(ct.trim());

export type BodyKind = 'json' | 'multipart' | 'none';

/** Which of the two shapes the original API accepted (JSON base64 or multipart) this request uses. */
export function bodyKind(contentType: string | undefined): BodyKind {
  if (!contentType) return 'none';
  if (isJson(contentType)) return 'json';
  if (isMultipart(contentType)) return 'multipart';
  return 'none';
}

/**
 * Strict base64 (standard or URL-safe, optional data: URL prefix): Buffer.from silently skips bad
 * characters, which would turn a typo into a corrupt file instead of a clear 400.
 */
export function decodeBase64(field: string, value: string): Buffer {
  const body = value.replace(/^data:[^,]{0,200};base64,/i, '').replace(/\s+/g, '');
  if (body.length === 0 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(body) || body.length % 4 === 1) {
    throw errors.validation(`${field}: not valid base64`, { field });
  }
  return Buffer.from(body, 'base64');
}

export async function fileBytes(file: File): Promise<Buffer> {
  return Buffer.from(await file.arrayBuffer());
}
