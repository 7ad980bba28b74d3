import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { ManuelError } from '../errors.js';
import { InMemoryBlobStore, ManualClock } from '../../../test/helpers/fakes.js';
import { receiveUpload, stagingKey, startUpload, takeStagedUpload } from './direct-upload.js';

const code = (c: string) => (e: unknown) => e instanceof ManuelError && e.code === c;
const pdf = Buffer.from('%PDF-1.4 a small manual');

function world() {
  const blobs = new InMemoryBlobStore();
  const clock = new ManualClock(Date.parse('2026-12-04T10:00:00Z'));
  return { blobs, clock, deps: { blobs, clock } };
}
const begin = (deps: ReturnType<typeof world>['deps'], over: Partial<Parameters<typeof startUpload>[1]> = {}) =>
  startUpload(deps, { ownerId: 'u1', fileName: 'a.pdf', size: pdf.length, maxBytes: 1000, ttlSeconds: 900, withPutToken: true, ...over });

describe('direct uploads (core)', () => {
  it('an expired url is refused (upload_expired) and stores nothing; a fresh one works', async () => {
    const { deps, clock, blobs } = world();
    const { session, putToken } = await begin(deps);
    clock.advance(901_000);
    await assert.rejects(receiveUpload(deps, { id: session.id, token: putToken!, contentLength: pdf.length, body: Readable.from([pdf]) }), code('upload_expired'));
    assert.equal(await blobs.exists(stagingKey(session.id)), false);
    const fresh = await begin(deps);
    await receiveUpload(deps, { id: fresh.session.id, token: fresh.putToken!, contentLength: pdf.length, body: Readable.from([pdf]) });
    assert.deepEqual((await takeStagedUpload(deps, { id: fresh.session.id, ownerIds: ['u1'], maxBytes: 1000 })).data, pdf);
  });

  it('completing after the completion window is upload_expired and discards the staged bytes', async () => {
    const { deps, clock, blobs } = world();
    const { session, putToken } = await begin(deps);
    await receiveUpload(deps, { id: session.id, token: putToken!, contentLength: null, body: Readable.from([pdf]) });
    clock.advance(2 * 900_000 + 1);
    await assert.rejects(takeStagedUpload(deps, { id: session.id, ownerIds: ['u1'], maxBytes: 1000 }), code('upload_expired'));
    assert.equal(blobs.blobs.size, 0);
  });

  it('a chunked body (no Content-Length) longer than declared is cut off: payload_too_large, nothing kept', async () => {
    const { deps, blobs } = world();
    const { session, putToken } = await begin(deps);
    await assert.rejects(receiveUpload(deps, { id: session.id, token: putToken!, contentLength: null, body: Readable.from([pdf, pdf]) }), code('payload_too_large'));
    assert.equal(await blobs.exists(stagingKey(session.id)), false);
    const shorter = await begin(deps);
    await assert.rejects(receiveUpload(deps, { id: shorter.session.id, token: shorter.putToken!, contentLength: null, body: Readable.from([pdf.subarray(0, 5)]) }), code('size_mismatch'));
    assert.equal(await blobs.exists(stagingKey(shorter.session.id)), false);
  });

  it('staged bytes larger than declared (a store that does not check its URL) are refused at completion', async () => {
    const { deps, blobs } = world();
    const { session } = await begin(deps, { withPutToken: false });
    await blobs.put(stagingKey(session.id), Buffer.concat([pdf, pdf]));
    await assert.rejects(takeStagedUpload(deps, { id: session.id, ownerIds: ['u1'], maxBytes: 1000 }), code('payload_too_large'));
    assert.equal(blobs.blobs.size, 0);
  });

  it('ids that are not upload ids, sessions without a PUT token, and other owners are not found', async () => {
    const { deps } = world();
    const { session } = await begin(deps, { withPutToken: false });
    await assert.rejects(receiveUpload(deps, { id: session.id, token: 'x', contentLength: 1, body: Readable.from([pdf]) }), code('not_found'));
    await assert.rejects(takeStagedUpload(deps, { id: session.id, ownerIds: ['u2'], maxBytes: 1000 }), code('not_found'));
    await assert.rejects(takeStagedUpload(deps, { id: '../manuals/x', ownerIds: ['u1'], maxBytes: 1000 }), code('not_found'));
  });
});
