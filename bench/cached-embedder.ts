import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Embedder } from '../src/core/ports/embedder.js';

/**
 * Wraps an embedder with an on-disk cache keyed by the SHA-1 of the text, so re-running an
 * evaluation only embeds what changed. Records: 20-byte hash + `dimensions` float32. The inner
 * embedder (worker threads) is only started when something is missing.
 */
export class CachedEmbedder implements Embedder {
  private readonly cache = new Map<string, Float32Array>();
  private inner: Embedder | null = null;
  embedded = 0;

  constructor(
    readonly dimensions: number,
    readonly modelId: string,
    private readonly file: string,
    private readonly start: () => Promise<Embedder>,
  ) {
    if (!existsSync(file)) return;
    const buf = readFileSync(file);
    const size = 20 + dimensions * 4;
    for (let off = 0; off + size <= buf.length; off += size) {
      const key = buf.subarray(off, off + 20).toString('hex');
      this.cache.set(key, new Float32Array(new Uint8Array(buf.subarray(off + 20, off + size)).buffer));
    }
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const keys = texts.map((t) => createHash('sha1').update(t).digest());
    const missing = [...new Set(texts.filter((_, i) => !this.cache.has(keys[i]!.toString('hex'))))];
    if (missing.length > 0) {
      this.inner ??= await this.start();
      const vectors = await this.inner.embed(missing);
      mkdirSync(dirname(this.file), { recursive: true });
      const records = missing.map((t, i) => {
        const key = createHash('sha1').update(t).digest();
        this.cache.set(key.toString('hex'), vectors[i]!);
        return Buffer.concat([key, Buffer.from(vectors[i]!.buffer, vectors[i]!.byteOffset, vectors[i]!.byteLength)]);
      });
      appendFileSync(this.file, Buffer.concat(records));
      this.embedded += missing.length;
    }
    return keys.map((k) => this.cache.get(k.toString('hex'))!);
  }

  async close(): Promise<void> {
    await this.inner?.close?.();
  }
}
