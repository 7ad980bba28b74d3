import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errors } from '../../core/errors.js';
import type { BlobStore } from '../../core/ports/blob-store.js';

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prepended to every key (`manuals/`, `pages/`), so several stores may share one bucket. Default ''. */
  prefix?: string;
  /**
   * A Readable is read into memory before its PutObject (S3 wants the length up front and
   * @aws-sdk/lib-storage, the multipart streamer, is not a dependency). Past this many bytes the put
   * fails with `payload_too_large` and nothing is written. API Gateway caps a request at 10 MB, so
   * the default of 64 MiB is never reached through the API.
   */
  maxBufferBytes?: number;
}

/** The SDK's "not there" answers: GetObject says NoSuchKey, HeadObject (no body) only 404. */
export function isMissing(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

/** Reads a stream into one buffer, failing as soon as it passes `max` bytes. */
export async function readBounded(stream: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > max) {
      stream.destroy();
      throw errors.tooLarge(max);
    }
    parts.push(b);
  }
  return Buffer.concat(parts, size);
}

/**
 * Blobs as S3 objects. A PutObject is atomic (readers see the old object or the new one), so no temp
 * key is needed. `delete` answers whether the key was there, which S3's DeleteObject never says: a
 * HeadObject first (two requests; a concurrent put in between is deleted but reported by the head).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly maxBufferBytes: number;

  constructor(opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? '';
    this.maxBufferBytes = opts.maxBufferBytes ?? 64 * 1024 * 1024;
  }

  /** Same key rule as the file store, so a key valid in one shape is valid in the other. */
  private key(key: string): string {
    if (!KEY.test(key) || key.split('/').some((p) => p === '.' || p === '..')) throw errors.validation(`Invalid blob key: ${key}`);
    return this.prefix + key;
  }

  async put(key: string, data: Buffer | Readable): Promise<void> {
    const Key = this.key(key);
    const body = Buffer.isBuffer(data) ? data : await readBounded(data, this.maxBufferBytes);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length }));
    } catch (e) {
      throw errors.storage(e);
    }
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async stream(key: string): Promise<Readable | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      // In Node the body is an http.IncomingMessage (a Readable); the web-stream case is for other runtimes.
      const body = out.Body as unknown;
      return body instanceof Readable ? body : Readable.fromWeb((out.Body as { transformToWebStream(): ReadableStream }).transformToWebStream() as never);
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!(await this.exists(key))) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    return true;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return true;
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
  }
}
