import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  InternalServerException,
  ModelTimeoutException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { isManuelError } from '../../core/errors.js';
import type { SearchHit } from '../../core/model/types.js';
import { isTransientUpstream } from '../resilience/transient-errors.js';
import { BedrockAnswerWriter } from './bedrock-answer-writer.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const hit = (pageNumber: number, text: string): SearchHit => ({
  manualName: 'printer.pdf',
  score: 0.5,
  chunk: { id: `c${pageNumber}`, manualId: 'm1', ownerId: 'u1', pageNumber, pageLabel: null, heading: null, text, ordinal: pageNumber },
});
const passages = [hit(12, 'To change the resolution, open Settings > Print quality and choose 600 dpi.'), hit(30, 'The paper tray holds 250 sheets.')];

/** A ConverseCommand output as the Bedrock Runtime API reference documents it. */
const converseOutput = (text: string | string[], stopReason = 'end_turn') => ({
  output: { message: { role: 'assistant' as const, content: (Array.isArray(text) ? text : [text]).map((t) => ({ text: t })) } },
  stopReason: stopReason as 'end_turn',
  usage: { inputTokens: 321, outputTokens: 12, totalTokens: 333 },
  metrics: { latencyMs: 840 },
  $metadata: { httpStatusCode: 200 },
});

describe('BedrockAnswerWriter (Converse, mocked client)', () => {
  const client = new BedrockRuntimeClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
  const writer = new BedrockAnswerWriter({ client, modelId, maxTokens: 400 });
  beforeEach(() => mock.reset());

  it('sends the numbered passages with the shared system prompt, keeps valid citations, reports usage', async () => {
    mock.on(ConverseCommand).resolves(converseOutput('Open Settings > Print quality and choose 600 dpi [1].'));
    const out = await writer.write('How do I change the resolution?', passages);
    assert.equal(writer.id, `bedrock:${modelId}`);
    assert.equal(out.answer, 'Open Settings > Print quality and choose 600 dpi [1].');
    assert.deepEqual(out.cited, [0]);
    assert.equal(out.source, 'model');
    assert.deepEqual(out.usage, { inputTokens: 321, outputTokens: 12, model: modelId });
    const input = mock.commandCalls(ConverseCommand)[0]!.args[0].input;
    assert.equal(input.modelId, modelId);
    assert.deepEqual(input.inferenceConfig, { maxTokens: 400, temperature: 0 });
    assert.match(input.system![0]!.text!, /Cite every statement/);
    assert.equal(input.messages![0]!.role, 'user');
    const prompt = input.messages![0]!.content![0]!.text!;
    assert.match(prompt, /\[1\] printer\.pdf, page 12:\nTo change the resolution/);
    assert.match(prompt, /\[2\] printer\.pdf, page 30:/);
    assert.match(prompt, /Question: How do I change the resolution\?$/);
  });

  it('drops citations that point at no passage, exactly as the OpenAI writer does, and joins text blocks', async () => {
    mock.on(ConverseCommand).resolves(converseOutput(['The tray holds 250 sheets [2][7]', ' and more [9].']));
    const out = await writer.write('How many sheets?', passages);
    assert.equal(out.answer, 'The tray holds 250 sheets [2] and more.');
    assert.deepEqual(out.cited, [1]);
  });

  it('a response without text (e.g. only a tool-use block) is an upstream error', async () => {
    mock.on(ConverseCommand).resolves({ ...converseOutput([]), stopReason: 'tool_use' });
    await assert.rejects(writer.write('q', passages), (e) => isManuelError(e) && e.code === 'upstream_error' && /tool_use/.test(e.message));
  });

  it('throttling, model time-outs and 5xx are transient for the resilience layer; validation and access errors are not', async () => {
    const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode }, message: 'x' });
    const cases: [Error, number, boolean][] = [
      [new ThrottlingException(meta(429)), 429, true],
      [new ModelTimeoutException(meta(408)), 408, true],
      [new InternalServerException(meta(500)), 500, true],
      [new ServiceUnavailableException(meta(503)), 503, true],
      [new ValidationException(meta(400)), 400, false],
      [new AccessDeniedException(meta(403)), 403, false],
    ];
    for (const [error, status, transient] of cases) {
      mock.on(ConverseCommand).rejects(error);
      const e = await writer.write('q', passages).catch((x) => x);
      assert.ok(isManuelError(e) && e.code === 'upstream_error', `${error.name}: ${e}`);
      assert.equal(e.details?.upstream_status, status, error.name);
      assert.equal(isTransientUpstream(e), transient, error.name);
    }
    const socket = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    mock.on(ConverseCommand).rejects(socket);
    const e = await writer.write('q', passages).catch((x) => x);
    assert.ok(isManuelError(e) && /unreachable/.test(e.message));
    assert.equal(isTransientUpstream(e), true);
  });

  it('an aborted call (resilience deadline) says so', async () => {
    const ac = new AbortController();
    mock.on(ConverseCommand).callsFake(async () => {
      ac.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await assert.rejects(writer.write('q', passages, { signal: ac.signal }), (e) => isManuelError(e) && /abandoned/.test(e.message));
  });
});
