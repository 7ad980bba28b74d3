import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from './s3-blob-store.js';
import { S3Presigner } from './s3-presigner.js';
import { startS3rver, type S3Emulator } from '../../../test/helpers/aws-emulators.js';

describe('S3Presigner', () => {
  it('signs content-length into a PUT (S3 refuses any other length) and sends no checksum header', async () => {
    // Real-AWS shape: virtual-hosted bucket, no emulator endpoint, static keys (no request is sent).
    const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const p = new S3Presigner({ client, bucket: 'manuals-bucket' });
    const put = await p.presignPut('uploads/abc.pdf', { size: 31_457_280, contentType: 'application/pdf', expiresInSeconds: 900 });
    const u = new URL(put.url);
    assert.equal(u.host, 'manuals-bucket.s3.eu-west-1.amazonaws.com');
    assert.equal(u.pathname, '/uploads/abc.pdf');
    assert.equal(u.searchParams.get('X-Amz-Expires'), '900');
    assert.deepEqual(u.searchParams.get('X-Amz-SignedHeaders')!.split(';').sort(), ['content-length', 'host']);
    assert.equal(u.searchParams.get('X-Amz-Credential')!.split('/')[2], 'eu-west-1');
    assert.equal([...u.searchParams.keys()].some((k) => /checksum/i.test(k)), false);
    assert.deepEqual(put.headers, { 'Content-Type': 'application/pdf' });
    const get = await p.presignGet('manuals/x.pdf', { contentType: 'application/pdf', contentDisposition: 'attachment; filename="a.pdf"', expiresInSeconds: 300 });
    const g = new URL(get.url);
    assert.equal(g.searchParams.get('response-content-disposition'), 'attachment; filename="a.pdf"');
    assert.equal(g.searchParams.get('X-Amz-SignedHeaders'), 'host');
    client.destroy();
  });

  describe('on s3rver', () => {
    let s3: S3Emulator;
    let bucket: string;
    before(async () => {
      s3 = await startS3rver();
      bucket = await s3.bucket();
    });
    after(() => s3?.close());

    it('a presigned PUT stores the bytes and a presigned GET returns them with the disposition', async () => {
      const p = new S3Presigner({ client: s3.client, bucket });
      const data = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(200_000)]);
      const put = await p.presignPut('uploads/one.pdf', { size: data.length, contentType: 'application/pdf', expiresInSeconds: 60 });
      const r = await fetch(put.url, { method: 'PUT', headers: put.headers, body: data });
      assert.equal(r.status, 200, await r.text());
      const stored = await new S3BlobStore({ client: s3.client, bucket }).get('uploads/one.pdf');
      assert.equal(createHash('sha256').update(stored!).digest('hex'), createHash('sha256').update(data).digest('hex'));
      const get = await p.presignGet('uploads/one.pdf', { contentType: 'application/pdf', contentDisposition: 'attachment; filename="one.pdf"', expiresInSeconds: 60 });
      const g = await fetch(get.url);
      assert.equal(g.status, 200);
      assert.equal(g.headers.get('content-disposition'), 'attachment; filename="one.pdf"');
      assert.deepEqual(Buffer.from(await g.arrayBuffer()), data);
    });

    it('an expired URL is refused (AccessDenied) and stores nothing', async () => {
      const past = new Date(Date.now() - 120_000);
      const p = new S3Presigner({ client: s3.client, bucket, clock: () => past });
      const put = await p.presignPut('uploads/late.pdf', { size: 5, contentType: 'application/pdf', expiresInSeconds: 60 });
      const r = await fetch(put.url, { method: 'PUT', headers: put.headers, body: Buffer.from('%PDF-') });
      assert.equal(r.status, 403);
      assert.match(await r.text(), /AccessDenied|expired/);
      assert.equal(await new S3BlobStore({ client: s3.client, bucket }).exists('uploads/late.pdf'), false);
    });
  });
});
