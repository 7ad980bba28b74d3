import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { uploadPdf } from '../helpers/ask-helpers.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { evalDir } from '../helpers/eval-manuals.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const hasPocketsphinx = existsSync('/usr/bin/pocketsphinx_continuous');
const pdf = buildPdf([['Descaling', 'To descale the coffee machine, fill the tank with vinegar and run two empty cycles.']]);

describe('transcription endpoint down: pocketsphinx stands in (EnableAdvancedErrorHandling)', { skip: hasPocketsphinx ? false : 'pocketsphinx is not installed' }, () => {
  let fake: FakeOpenAiServer;
  let t: TestServer;
  let token: string;
  let dir: string;
  let speech: Buffer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-resil-voice-'));
    execFileSync('bash', [join(evalDir, 'speak.sh'), 'How do I descale the coffee machine?', join(dir, 'q.wav')], { stdio: 'ignore' });
    speech = readFileSync(join(dir, 'q.wav'));
    fake = await startFakeOpenAiServer({ transcriptionText: 'How do I descale the coffee machine?' });
    t = await startTestServer({
      parameters: { EnableAdvancedErrorHandling: true, TranscribeEndpoint: fake.url, TranscribeModelId: 'whisper-fake', BaseRetryDelay: 10, MaxRetryDelay: 40, ReadTimeout: 2000, DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 },
    });
    token = await t.signup();
    await uploadPdf(t, token, pdf, 'coffee.pdf');
  });
  after(async () => {
    await t?.close();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const transcribe = async () => {
    const f = new FormData();
    f.append('audio', new Blob([new Uint8Array(speech)], { type: 'audio/wav' }), 'q.wav');
    const res = await t.request('/api/transcribe', { token, body: f });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('the endpoint answers while it is up', async () => {
    const r = await transcribe();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.engine, 'openai:whisper-fake');
    assert.equal(fake.transcriptionRequests.length, 1);
  });

  it('500s: retried, then recognised locally by pocketsphinx; a spoken question is still answered', async () => {
    fake.transcriptionText = { status: 500 };
    const before = fake.transcriptionRequests.length;
    const r = await transcribe();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.engine, 'pocketsphinx');
    assert.equal(fake.transcriptionRequests.length - before, 3, 'MaxRetryAttempts attempts first');
    const words = String(r.body.transcription).split(' ');
    for (const w of ['descale', 'coffee', 'machine']) assert.ok(words.includes(w), `"${w}" in "${r.body.transcription}"`);

    const f = new FormData();
    f.append('audio', new Blob([new Uint8Array(speech)], { type: 'audio/wav' }), 'q.wav');
    const q = await t.request('/api/query', { token, body: f });
    const a = (await q.json()) as Record<string, any>;
    assert.equal(q.status, 200, JSON.stringify(a));
    assert.equal(a.transcription.engine, 'pocketsphinx');
    assert.match(a.answer, /vinegar/);
    assert.ok((await t.server.services.metrics.value('fallbacks_total', { service: 'transcription-endpoint' })) >= 2);
  });

  it('by now the breaker is open; after a reset, an endpoint gone altogether (connection refused): pocketsphinx too', async () => {
    const deep = async () => ((await (await t.request('/health/deep', { token })).json()) as { dependencies: Record<string, any>[] }).dependencies.find((d) => d.name === 'transcriber')!;
    assert.equal((await deep()).breaker.state, 'open', 'five failed calls');
    assert.equal((await t.request('/health/circuit-breakers/transcription-endpoint/reset', { method: 'POST', token })).status, 200);
    await fake.close();
    const r = await transcribe();
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.engine, 'pocketsphinx');
    await new Promise((r) => setTimeout(r, 2100)); // past the probe cache
    const row = await deep();
    assert.equal(row.status, 'down');
    assert.match(row.detail, /unreachable.*pocketsphinx/);
    assert.deepEqual([row.breaker.state, row.breaker.failures], ['closed', 3]);
  });
});
