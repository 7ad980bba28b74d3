import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { FsBlobStore } from '../../src/adapters/embedded/fs-blob-store.js';
import { ManuelError } from '../../src/core/errors.js';
import { InMemoryBlobStore } from '../helpers/fakes.js';
import { blobStoreContract } from './blob-store.contract.js';

const tempRoot = () => mkdtempSync(join(tmpdir(), 'manuel-'));

blobStoreContract('FsBlobStore', () => {
  const dir = tempRoot();
  return { store: new FsBlobStore(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});
blobStoreContract('InMemoryBlobStore (fake)', () => ({ store: new InMemoryBlobStore() }));

it('FsBlobStore refuses keys that would escape its root', async () => {
  const dir = tempRoot();
  try {
    const s = new FsBlobStore(join(dir, 'blobs'));
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '', 'a/./b', 'a\\b']) {
      await assert.rejects(s.put(key, Buffer.from('x')), (e: unknown) => e instanceof ManuelError && e.code === 'validation_error', key);
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('FsBlobStore leaves no file behind when the source stream fails', async () => {
  const dir = tempRoot();
  try {
    const s = new FsBlobStore(dir);
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(s.put('manuals/half.pdf', broken), /client went away/);
    assert.equal(await s.exists('manuals/half.pdf'), false);
    assert.deepEqual(readdirSync(join(dir, 'manuals')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
