import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isManuelError } from '../../core/errors.js';
import { pcmToWav } from '../../core/voice/wav-format.js';
import { isTransientUpstream } from '../resilience/transient-errors.js';
import { startS3rver, type S3Emulator } from '../../../test/helpers/aws-emulators.js';
import { fakeTranscribe } from '../../../test/helpers/fake-transcribe.js';
import { AwsTranscriber, transcriptOf } from './aws-transcriber.js';

/** 1.5 s of a 440 Hz tone, 16 kHz mono 16-bit. */
const wav = (() => {
  const pcm = Buffer.alloc(24_000 * 2);
  for (let i = 0; i < 24_000; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), i * 2);
  return pcmToWav(pcm, 16_000);
})();

describe('AwsTranscriber (Transcribe mocked, S3 on s3rver)', () => {
  let s3: S3Emulator;
  before(async () => (s3 = await startS3rver()));
  after(() => s3?.close());
  const keysIn = async (bucket: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);

  it('puts the audio to S3, starts a job, polls until COMPLETED, reads the transcript, deletes what it made', async () => {
    const bucket = await s3.bucket();
    const fake = fakeTranscribe(s3.client, { transcript: ' Which port does the server use? ', confidences: [0.9, 0.8, 1, 0.7, 0.6, 0.8], pendingPolls: 2 });
    const t = new AwsTranscriber({ transcribe: fake.client, s3: s3.client, bucket, pollInitialMs: 5 });
    const r = await t.transcribe(wav, { language: 'de', hints: ['port'] });
    assert.deepEqual(r, { text: 'Which port does the server use?', confidence: 0.8, durationS: 1.5, engine: 'aws-transcribe' });
    assert.equal(fake.started.length, 1);
    const job = fake.started[0]!;
    assert.deepEqual(fake.audioSeen[0], wav, 'the job read exactly the uploaded WAV');
    assert.equal(job.MediaFormat, 'wav');
    assert.equal(job.MediaSampleRateHertz, 16_000);
    assert.equal(job.LanguageCode, 'de-DE');
    assert.equal(job.OutputBucketName, bucket);
    assert.match(job.OutputKey!, /^transcribe\/.+\.json$/);
    assert.equal(fake.polls, 3, 'two IN_PROGRESS answers, then COMPLETED');
    assert.deepEqual(fake.deleted, [job.TranscriptionJobName]);
    assert.deepEqual(await keysIn(bucket), [], 'audio and transcript are deleted');
  });

  it('a FAILED job is an upstream error that is not retried; the audio is still deleted', async () => {
    const bucket = await s3.bucket();
    const fake = fakeTranscribe(s3.client, { transcript: '', pendingPolls: 0, failureReason: 'The media format provided does not match the detected media format.' });
    const t = new AwsTranscriber({ transcribe: fake.client, s3: s3.client, bucket, pollInitialMs: 5 });
    const e = await t.transcribe(wav).catch((x) => x);
    assert.ok(isManuelError(e) && e.code === 'upstream_error' && /media format/.test(e.message), String(e));
    assert.equal(isTransientUpstream(e), false);
    assert.equal(fake.started[0]!.LanguageCode, 'en-US');
    assert.deepEqual(await keysIn(bucket), []);
  });

  it('gives up at its deadline (a transient error), and when the caller aborts', async () => {
    const bucket = await s3.bucket();
    const fake = fakeTranscribe(s3.client, { transcript: 'x', pendingPolls: 1000 });
    const t = new AwsTranscriber({ transcribe: fake.client, s3: s3.client, bucket, pollInitialMs: 10, pollMaxMs: 40, deadlineMs: 300 });
    const started = Date.now();
    const e = await t.transcribe(wav).catch((x) => x);
    const took = Date.now() - started;
    assert.ok(isManuelError(e) && /did not finish in time \(last status IN_PROGRESS\)/.test(e.message), String(e));
    assert.equal(isTransientUpstream(e), true);
    assert.ok(took >= 300 && took < 2000, `took ${took} ms`);
    assert.ok(fake.polls >= 5 && fake.polls <= 20, `${fake.polls} polls: the wait doubles, capped`);
    assert.deepEqual(await keysIn(bucket), []);

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const aborted = await t.transcribe(wav, { signal: ac.signal }).catch((x) => x);
    assert.ok(isManuelError(aborted) && /abandoned/.test(aborted.message), String(aborted));
  });

  it('averages the confidence of spoken words only (punctuation items carry 0.0)', () => {
    const out = transcriptOf({
      results: {
        transcripts: [{ transcript: 'Reset it.' }],
        items: [
          { type: 'pronunciation', alternatives: [{ confidence: '0.99', content: 'Reset' }] },
          { type: 'pronunciation', alternatives: [{ confidence: '0.95', content: 'it' }] },
          { type: 'punctuation', alternatives: [{ confidence: '0.0', content: '.' }] },
        ],
      },
    });
    assert.deepEqual(out, { text: 'Reset it.', confidence: 0.97 });
    assert.throws(() => transcriptOf({}), (e) => isManuelError(e) && e.code === 'upstream_error');
  });
});
