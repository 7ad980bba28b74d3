import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import type { BlobStore } from '../../src/core/ports/blob-store.js';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

export function blobStoreContract(name: string, make: () => { store: BlobStore; cleanup?: () => void }): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let cleanup: (() => void) | undefined;
    beforeEach(() => ({ store, cleanup } = make()));
    afterEach(() => cleanup?.());

    it('puts, reads, streams and deletes a buffer by key', async () => {
      const data = Buffer.from('%PDF-1.7 some bytes \u0000\u00ff');
      await store.put('manuals/abc.pdf', data);
      assert.equal(await store.exists('manuals/abc.pdf'), true);
      assert.deepEqual(await store.get('manuals/abc.pdf'), data);
      assert.deepEqual(await readAll((await store.stream('manuals/abc.pdf'))!), data);
      assert.equal(await store.delete('manuals/abc.pdf'), true);
      assert.equal(await store.delete('manuals/abc.pdf'), false);
      assert.equal(await store.exists('manuals/abc.pdf'), false);
    });

    it('missing keys read as null', async () => {
      assert.equal(await store.get('manuals/none.pdf'), null);
      assert.equal(await store.stream('manuals/none.pdf'), null);
    });

    it('accepts a stream and overwrites an existing key', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024, 7);
      await store.put('audio/x.wav', Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
      assert.equal((await store.get('audio/x.wav'))?.length, big.length);
      await store.put('audio/x.wav', Buffer.from('short'));
      assert.equal((await store.get('audio/x.wav'))?.toString(), 'short');
    });
  });
}
