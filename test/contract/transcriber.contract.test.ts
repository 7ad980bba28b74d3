import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PocketsphinxTranscriber } from '../../src/adapters/embedded/pocketsphinx-transcriber.js';
import { OpenAiTranscriber } from '../../src/adapters/openai/openai-transcriber.js';
import { AwsTranscriber } from '../../src/adapters/aws/aws-transcriber.js';
import type { Transcriber } from '../../src/core/ports/transcriber.js';
import { wavSamples } from '../../src/core/voice/wav-format.js';
import { evalDir } from '../helpers/eval-manuals.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startS3rver, type S3Emulator } from '../helpers/aws-emulators.js';
import { fakeTranscribe } from '../helpers/fake-transcribe.js';

/** What every Transcriber promises the voice use case, run against each adapter. */
function transcriberContract(name: string, make: () => Transcriber) {
  describe(`Transcriber contract: ${name}`, () => {
    let dir: string;
    let wav: Buffer;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'manuel-contract-asr-'));
      execFileSync('bash', [join(evalDir, 'speak.sh'), 'Which port does the server use?', join(dir, 'q.wav')], { stdio: 'ignore' });
      wav = readFileSync(join(dir, 'q.wav'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('returns trimmed text, a confidence in 0..1, the audio duration and its engine', async () => {
      const r = await make().transcribe(wav, { hints: ['server', 'port'], corpus: ['The server listens on port 8080.'], language: 'en' });
      assert.equal(typeof r.text, 'string');
      assert.equal(r.text, r.text.trim());
      assert.match(r.text, /port/);
      assert.ok(r.confidence >= 0 && r.confidence <= 1, `confidence ${r.confidence}`);
      assert.ok(Math.abs(r.durationS - wavSamples(wav).length / 16_000) < 0.05, `duration ${r.durationS}`);
      assert.ok(r.engine.length > 0);
    });

    it('works without any hints', async () => {
      const r = await make().transcribe(wav);
      assert.ok(r.text.length > 0);
    });
  });
}

let fake: FakeOpenAiServer;
before(async () => (fake = await startFakeOpenAiServer({ transcriptionText: 'Which port does the server use?' })));
after(() => fake.close());

const cache = mkdtempSync(join(tmpdir(), 'manuel-contract-cache-'));
after(() => rmSync(cache, { recursive: true, force: true }));
transcriberContract('pocketsphinx', () => new PocketsphinxTranscriber({ cacheDir: cache }));
transcriberContract('openai-compatible (local fake server)', () => new OpenAiTranscriber({ endpoint: fake.url, model: 'whisper-1' }));

// Amazon Transcribe played by aws-sdk-client-mock (jobs read the audio from and write their output to s3rver).
let s3: S3Emulator;
let bucket: string;
before(async () => {
  s3 = await startS3rver();
  bucket = await s3.bucket();
});
after(() => s3?.close());
transcriberContract('aws transcribe (mocked jobs, s3rver)', () => {
  const fake = fakeTranscribe(s3.client, { transcript: 'Which port does the server use?' });
  return new AwsTranscriber({ transcribe: fake.client, s3: s3.client, bucket, pollInitialMs: 5 });
});
