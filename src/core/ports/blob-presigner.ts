/** A request a client sends itself, straight to the blob store, past the API (ADR 0030). */
export interface PresignedRequest {
  url: string;
  method: 'PUT' | 'GET';
  /** Headers the client must send as they are (none of them is a credential). */
  headers: Record<string, string>;
  expiresAt: Date;
}

/**
 * Short-lived URLs for one blob key, for stores that can check them themselves (S3). Optional: a
 * shape without one (embedded) moves the bytes through its own routes instead. Keys are those of the
 * BlobStore over the same bucket.
 */
export interface BlobPresigner {
  /** A PUT of exactly `size` bytes to `key`: the store refuses any other length. */
  presignPut(key: string, opts: { size: number; contentType: string; expiresInSeconds: number }): Promise<PresignedRequest>;
  /** A GET of `key`, answered with these Content-Type and Content-Disposition headers. */
  presignGet(key: string, opts: { contentType: string; contentDisposition: string; expiresInSeconds: number }): Promise<PresignedRequest>;
}
