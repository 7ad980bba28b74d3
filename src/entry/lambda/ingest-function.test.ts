import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { loadEmbeddedConfig } from '../../config/config.js';
import { submitManual } from '../../core/ingest/submit-manual.js';
import { createEmbedded, type EmbeddedApp } from '../../wiring/embedded.js';
import { buildPdf } from '../../../test/helpers/api-pdfs.js';
import { ingestFunction, s3Keys } from './ingest-function.js';

/** An S3 ObjectCreated:Put notification as Lambda receives it (one record). */
function s3Event(bucket: string, key: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'eu-west-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '198.51.100.7' },
        responseElements: { 'x-amz-request-id': 'EXAMPLE123456789', 'x-amz-id-2': 'EXAMPLE/abc' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'manual-uploaded',
          bucket: { name: bucket, ownerIdentity: { principalId: 'EXAMPLE' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size: 1024, eTag: '0123456789abcdef', sequencer: '0A1B2C3D4E5F678901' },
        },
      },
    ],
  };
}

const context = (ms: number) => ({ awsRequestId: 'req-1', getRemainingTimeInMillis: () => ms });

describe('Lambda ProcessManual: S3 ObjectCreated runs the ingest worker', () => {
  let dir: string;
  let s: EmbeddedApp;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-lambda-ingest-'));
    const config = loadEmbeddedConfig({ MANUEL_DATA_DIR: dir, LOG_LEVEL: 'silent' }, { EmbeddingWorkers: 0 });
    s = await createEmbedded(config, { embedder: null, transcriber: null, worker: { start: false, pollMs: 50 } });
  });
  after(async () => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes the keys of ObjectCreated records only', () => {
    assert.deepEqual(s3Keys(s3Event('b', 'manuals/a b+c.pdf')), ['manuals/a b+c.pdf']);
    const removed = s3Event('b', 'manuals/x.pdf');
    removed.Records[0]!.eventName = 'ObjectRemoved:Delete';
    assert.deepEqual(s3Keys(removed), []);
    assert.deepEqual(s3Keys({ source: 'aws.events' }), []);
  });

  it('ingests the uploaded manual, then returns once idle for the retry window', async () => {
    const ownerId = 'user-ingest-1';
    await s.users.create({ id: ownerId, email: 'ingest@example.test', passwordHash: 'x', name: null, isAdmin: false, createdAt: new Date().toISOString() });
    const pdf = buildPdf([['ProcessManual test page', 'Turn the red knob clockwise.']]);
    const { manual, job } = await submitManual(s, { ownerId, fileName: 'knob.pdf', data: pdf, source: 'upload' });
    const handler = ingestFunction(async () => ({ worker: s.worker, logger: s.logger, retryWindowMs: 200 }), { tickMs: 20 });
    const started = Date.now();
    const out = await handler(s3Event('manuals-bucket', manual.blobKey), context(60_000));
    assert.deepEqual(out, { keys: [manual.blobKey], cutShort: false });
    assert.ok(Date.now() - started < 10_000);
    const done = await s.jobs.get(job.id, [ownerId]);
    assert.equal(done?.status, 'completed');
    assert.equal((await s.manuals.get(manual.id, [ownerId]))?.status, 'completed');
    assert.equal(s.worker.isRunning(), false, 'the worker stops with the invocation');
  });

  it('ignores notifications of other keys (no work started)', async () => {
    const handler = ingestFunction(async () => ({ worker: s.worker, logger: s.logger, retryWindowMs: 200 }), { tickMs: 20 });
    const out = await handler(s3Event('audio-bucket', 'audio/2026/x.wav'), context(60_000));
    assert.deepEqual(out, { keys: ['audio/2026/x.wav'], cutShort: false });
    assert.equal(s.worker.isRunning(), false);
  });

  it('hands a job back and fails the invocation when the time runs out mid-job', async () => {
    let claims = 0;
    let stopped: number | null = null;
    const worker = {
      running: false,
      start() { this.running = true; claims++; },
      async stop(drainMs?: number) { this.running = false; stopped = drainMs ?? null; },
      get busy() { return this.running; },
    };
    const handler = ingestFunction(async () => ({ worker, logger: s.logger, retryWindowMs: 200 }), { tickMs: 10, marginMs: 0 });
    await assert.rejects(handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, context(100)), /did not finish/);
    assert.equal(claims, 1);
    assert.equal(stopped, 0);
  });
});
