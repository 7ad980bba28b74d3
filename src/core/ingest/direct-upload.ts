import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { errors, isManuelError } from '../errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import { systemClock, type Clock } from '../ports/clock.js';

/**
 * Direct uploads (ADR 0030): the client declares the file, sends its bytes straight to storage (a
 * presigned S3 PUT, or the embedded server's own streaming PUT route), then completes. The session is a
 * small JSON blob next to the staged bytes, so both shapes keep it in the store they already have and
 * any Lambda container can complete it. Staged bytes never trigger ingestion (they are not under
 * manuals/) and are deleted when the upload completes, fails or is refused.
 */
export interface UploadSession {
  id: string;
  ownerId: string;
  fileName: string;
  name: string | null;
  size: number;
  sha256: string | null;
  createdAt: string;
  /** The PUT url stops working here. */
  expiresAt: string;
  /** Completing is allowed until here (the PUT may have ended just before expiresAt). */
  completeBy: string;
  /** sha256 of the embedded PUT route's capability token (null where the store checks its own URL). */
  putTokenHash: string | null;
}

export interface DirectUploadDeps {
  blobs: BlobStore;
  clock?: Clock;
}

export const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const STAGING_PREFIX = 'uploads/';
export const stagingKey = (id: string) => `${STAGING_PREFIX}${id}.pdf`;
const sessionKey = (id: string) => `${STAGING_PREFIX}${id}.json`;
const hashToken = (t: string) => createHash('sha256').update(t).digest();

export interface StartUploadInput {
  ownerId: string;
  fileName: string;
  name?: string;
  size: number;
  sha256?: string;
  maxBytes: number;
  /** How long the PUT url works. */
  ttlSeconds: number;
  /** Embedded shape: mint a capability token for the server's own PUT route. */
  withPutToken: boolean;
}

export async function startUpload(deps: DirectUploadDeps, input: StartUploadInput): Promise<{ session: UploadSession; putToken: string | null }> {
  if (!Number.isSafeInteger(input.size) || input.size <= 0) throw errors.validation('size: the file is empty', { field: 'size' });
  if (input.size > input.maxBytes) throw errors.tooLarge(input.maxBytes);
  const now = (deps.clock ?? systemClock).now();
  // Hex: nothing in it a request-inspection rule could mistake for an attack (base64url may hold '--').
  const putToken = input.withPutToken ? randomBytes(32).toString('hex') : null;
  const session: UploadSession = {
    id: randomUUID(),
    ownerId: input.ownerId,
    fileName: input.fileName,
    name: input.name?.trim() || null,
    size: input.size,
    sha256: input.sha256?.toLowerCase() ?? null,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.ttlSeconds * 1000).toISOString(),
    completeBy: new Date(now.getTime() + 2 * input.ttlSeconds * 1000).toISOString(),
    putTokenHash: putToken ? hashToken(putToken).toString('hex') : null,
  };
  await deps.blobs.put(sessionKey(session.id), Buffer.from(JSON.stringify(session)));
  return { session, putToken };
}

async function readSession(deps: DirectUploadDeps, id: string): Promise<UploadSession | null> {
  if (!UPLOAD_ID.test(id)) return null;
  const raw = await deps.blobs.get(sessionKey(id));
  return raw ? (JSON.parse(raw.toString('utf8')) as UploadSession) : null;
}

/**
 * Discards the upload `id` if its completion window has passed (a client that never completed). For
 * stores without a lifecycle rule (the embedded file store); S3 expires uploads/ by itself. True when discarded.
 */
export async function discardIfAbandoned(deps: DirectUploadDeps, id: string): Promise<boolean> {
  const session = await readSession(deps, id).catch(() => null);
  if (session && (deps.clock ?? systemClock).now().getTime() <= Date.parse(session.completeBy)) return false;
  await discardUpload(deps, id);
  return true;
}

/** Removes the staged bytes and the session: nothing of a failed or finished upload stays. */
export async function discardUpload(deps: DirectUploadDeps, id: string): Promise<void> {
  await deps.blobs.delete(stagingKey(id)).catch(() => false);
  await deps.blobs.delete(sessionKey(id)).catch(() => false);
}

/** Counts bytes on the way through and fails as soon as there are more than `max`. */
function byteLimit(max: number, onTooMany: () => Error): Transform & { count: () => number } {
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) return cb(onTooMany());
      cb(null, chunk);
    },
  });
  return Object.assign(t, { count: () => n });
}

/**
 * The embedded shape's PUT: the url's token is the credential (like a presigned URL, the client sends
 * no bearer token). Exactly the declared size is accepted; more is refused while it streams, and the
 * store's atomic put leaves nothing of a refused or broken body.
 */
export async function receiveUpload(deps: DirectUploadDeps, input: { id: string; token: string; contentLength: number | null; body: Readable }): Promise<void> {
  const session = await readSession(deps, input.id);
  const given = hashToken(input.token);
  if (!session?.putTokenHash || !timingSafeEqual(given, Buffer.from(session.putTokenHash, 'hex'))) throw errors.notFound('Upload');
  if ((deps.clock ?? systemClock).now().getTime() > Date.parse(session.expiresAt)) throw errors.uploadExpired();
  if (input.contentLength !== null && input.contentLength > session.size) throw errors.tooLarge(session.size);
  if (input.contentLength !== null && input.contentLength !== session.size) throw errors.sizeMismatch(session.size, input.contentLength);
  const limit = byteLimit(session.size, () => errors.tooLarge(session.size));
  try {
    await deps.blobs.put(stagingKey(session.id), input.body.pipe(limit));
  } catch (e) {
    await deps.blobs.delete(stagingKey(session.id)).catch(() => false);
    throw isManuelError(e) ? e : limit.count() > session.size ? errors.tooLarge(session.size) : errors.storage(e);
  }
  if (limit.count() !== session.size) {
    await deps.blobs.delete(stagingKey(session.id)).catch(() => false);
    throw errors.sizeMismatch(session.size, limit.count());
  }
}

/** An open upload of one of `ownerIds` (another user's, or an unknown id: not_found). */
export async function ownUpload(deps: DirectUploadDeps, input: { id: string; ownerIds: readonly string[] }): Promise<UploadSession> {
  const session = await readSession(deps, input.id);
  if (!session || !input.ownerIds.includes(session.ownerId)) throw errors.notFound('Upload');
  return session;
}

/**
 * Completion, step one: the staged bytes, checked against what was declared. The caller submits them
 * like any upload, then calls discardUpload whatever happens. A refusal here has already discarded
 * everything; `upload_incomplete` (nothing sent yet) keeps the session so the PUT can still come.
 */
export async function takeStagedUpload(deps: DirectUploadDeps, input: { id: string; ownerIds: readonly string[]; maxBytes: number }): Promise<{ session: UploadSession; data: Buffer }> {
  const session = await ownUpload(deps, input);
  if ((deps.clock ?? systemClock).now().getTime() > Date.parse(session.completeBy)) {
    await discardUpload(deps, session.id);
    throw errors.uploadExpired();
  }
  const data = await deps.blobs.get(stagingKey(session.id));
  if (!data) throw errors.uploadIncomplete();
  try {
    if (data.length > Math.min(session.size, input.maxBytes)) throw errors.tooLarge(Math.min(session.size, input.maxBytes));
    if (data.length !== session.size) throw errors.sizeMismatch(session.size, data.length);
    if (session.sha256) {
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== session.sha256) throw errors.checksumMismatch(session.sha256, actual);
    }
  } catch (e) {
    await discardUpload(deps, session.id);
    throw e;
  }
  return { session, data };
}
