import type { Readable } from 'node:stream';

/** Bytes by key (PDFs, audio, rendered pages). Keys are opaque, '/'-separated. */
export interface BlobStore {
  put(key: string, data: Buffer | Readable): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  stream(key: string): Promise<Readable | null>;
  delete(key: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
}
