import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { BedrockRuntimeClient, InvokeModelCommand, ThrottlingException, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { isManuelError } from '../../core/errors.js';
import { isTransientUpstream } from '../resilience/transient-errors.js';
import { TitanEmbedder } from './bedrock-titan-embedder.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** A unit vector that encodes its text's length, so the order of results can be checked. */
const vectorFor = (text: string, dims: number) => {
  const v = new Array<number>(dims).fill(0);
  v[text.length % dims] = 1;
  return v;
};
/** The InvokeModel output for Titan Text Embeddings V2 (body: `{embedding, inputTextTokenCount}`). */
const titanBody = (embedding: number[], tokens: number) => new TextEncoder().encode(JSON.stringify({ embedding, inputTextTokenCount: tokens }));

describe('TitanEmbedder (InvokeModel, mocked client)', () => {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const mock = mockClient(client);
  beforeEach(() => mock.reset());

  it('sends one Titan v2 request per text and returns the vectors in input order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    mock.on(InvokeModelCommand).callsFake(async (input: { body: string }) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const { inputText, dimensions } = JSON.parse(input.body) as { inputText: string; dimensions: number };
      await new Promise((r) => setTimeout(r, 20 - inputText.length)); // later texts answer first
      inFlight--;
      return { body: titanBody(vectorFor(inputText, dimensions), inputText.split(' ').length), contentType: 'application/json', $metadata: {} };
    });
    const e = new TitanEmbedder({ client, modelId: 'amazon.titan-embed-text-v2:0', dimensions: 256, concurrency: 3 });
    assert.equal(e.dimensions, 256);
    assert.equal(e.modelId, 'amazon.titan-embed-text-v2:0');
    const texts = ['a', 'bb cc', 'ddd', 'eeee ff', 'g'];
    const vectors = await e.embed(texts);
    assert.equal(vectors.length, 5);
    texts.forEach((t, i) => {
      assert.ok(vectors[i] instanceof Float32Array);
      assert.equal(vectors[i]!.length, 256);
      assert.equal(vectors[i]![t.length], 1, `vector ${i} belongs to "${t}"`);
    });
    assert.equal(maxInFlight, 3);
    assert.equal(e.inputTokens, 7);
    const first = mock.commandCalls(InvokeModelCommand)[0]!.args[0].input;
    assert.equal(first.modelId, 'amazon.titan-embed-text-v2:0');
    assert.equal(first.contentType, 'application/json');
    assert.deepEqual(JSON.parse(first.body as string), { inputText: 'a', dimensions: 256, normalize: true });
    assert.deepEqual(await e.embed([]), []);
  });

  it('refuses a vector of the wrong size, and maps throttling (transient) and validation (not) errors', async () => {
    const e = new TitanEmbedder({ client, modelId: 'amazon.titan-embed-text-v2:0' });
    mock.on(InvokeModelCommand).resolves({ body: titanBody([1, 0, 0], 1) as never });
    await assert.rejects(e.embed(['x']), (err) => isManuelError(err) && err.code === 'upstream_error' && /3 dimensions, expected 1024/.test(err.message));
    mock.on(InvokeModelCommand).rejects(new ThrottlingException({ $metadata: { httpStatusCode: 429 }, message: 'slow down' }));
    const throttled = await e.embed(['x']).catch((x) => x);
    assert.equal(isTransientUpstream(throttled), true);
    mock.on(InvokeModelCommand).rejects(new ValidationException({ $metadata: { httpStatusCode: 400 }, message: 'bad input' }));
    const invalid = await e.embed(['x']).catch((x) => x);
    assert.equal(invalid.details?.upstream_status, 400);
    assert.equal(isTransientUpstream(invalid), false);
  });
});
