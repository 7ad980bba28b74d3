import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { S3BlobStore } from '../../src/adapters/aws/s3-blob-store.js';
import { FsBlobStore } from '../../src/adapters/embedded/fs-blob-store.js';
import { ManuelError } from '../../src/core/errors.js';
import { startS3rver, type S3Emulator } from '../helpers/aws-emulators.js';
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

describe('S3BlobStore on s3rver', () => {
  let s3: S3Emulator;
  let bucket: string;
  before(async () => {
    s3 = await startS3rver();
    bucket = await s3.bucket();
  });
  after(() => s3?.close());

  // One bucket, a fresh prefix per test: the contract's factory is synchronous.
  blobStoreContract('S3BlobStore (s3rver)', () => ({ store: new S3BlobStore({ client: s3.client, bucket, prefix: `c${randomBytes(4).toString('hex')}/` }) }));

  it('keeps its keys under its prefix and refuses keys the file store refuses', async () => {
    const a = new S3BlobStore({ client: s3.client, bucket, prefix: 'manuals/' });
    const b = new S3BlobStore({ client: s3.client, bucket, prefix: 'pages/' });
    await a.put('u1/m1.pdf', Buffer.from('%PDF'));
    assert.equal(await b.exists('u1/m1.pdf'), false);
    assert.equal(await new S3BlobStore({ client: s3.client, bucket }).exists('manuals/u1/m1.pdf'), true);
    for (const key of ['../x', 'a//b', '', 'a/./b']) {
      await assert.rejects(a.put(key, Buffer.from('x')), (e: unknown) => e instanceof ManuelError && e.code === 'validation_error', key);
    }
  });

  it('a stream larger than the buffer bound is refused and nothing is written; a failing stream writes nothing', async () => {
    const s = new S3BlobStore({ client: s3.client, bucket, prefix: 'bound/', maxBufferBytes: 1024 });
    await assert.rejects(s.put('big.bin', Readable.from([Buffer.alloc(800), Buffer.alloc(800)])), (e: unknown) => e instanceof ManuelError && e.code === 'payload_too_large');
    assert.equal(await s.exists('big.bin'), false);
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(100));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(s.put('half.bin', broken), /client went away/);
    assert.equal(await s.exists('half.bin'), false);
  });

  it('an unreachable bucket is a storage_error on put', async () => {
    const s = new S3BlobStore({ client: s3.client, bucket: 'no-such-bucket-here' });
    await assert.rejects(s.put('x.pdf', Buffer.from('x')), (e: unknown) => e instanceof ManuelError && e.code === 'storage_error');
  });
});
