import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import { receiveUpload, startUpload } from '../../core/ingest/direct-upload.js';
import { ManualClock } from '../../../test/helpers/fakes.js';
import { FsBlobStore } from './fs-blob-store.js';
import { sweepStagedUploads } from './staged-upload-sweep.js';

it('the sweep discards only uploads past their completion window, staged bytes and session both', async () => {
  const root = mkdtempSync(join(tmpdir(), 'manuel-sweep-'));
  try {
    const blobs = new FsBlobStore(root);
    const clock = new ManualClock(Date.parse('2026-12-04T10:00:00Z'));
    const deps = { blobs, clock, blobsRoot: root };
    const pdf = Buffer.from('%PDF-1.4 abandoned');
    const old = await startUpload(deps, { ownerId: 'u1', fileName: 'a.pdf', size: pdf.length, maxBytes: 100, ttlSeconds: 900, withPutToken: true });
    await receiveUpload(deps, { id: old.session.id, token: old.putToken!, contentLength: pdf.length, body: Readable.from([pdf]) });
    clock.advance(1_000_000);
    const fresh = await startUpload(deps, { ownerId: 'u1', fileName: 'b.pdf', size: pdf.length, maxBytes: 100, ttlSeconds: 900, withPutToken: true });
    assert.equal(await sweepStagedUploads(deps), 0, 'the first is still inside its completion window (2 × 900 s)');
    clock.advance(900_000);
    assert.equal(await sweepStagedUploads(deps), 1);
    assert.deepEqual(readdirSync(join(root, 'uploads')), [`${fresh.session.id}.json`]);
    assert.equal(await sweepStagedUploads({ ...deps, blobsRoot: join(root, 'none') }), 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
