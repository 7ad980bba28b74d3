import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAiAnswerWriter, chatCompletionsUrl, extractCitations } from './openai-answer-writer.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../../test/helpers/fake-openai-server.js';
import { ManuelError } from '../../core/errors.js';
import type { SearchHit } from '../../core/model/types.js';

const hit = (manualName: string, pageNumber: number, pageLabel: string | null, text: string): SearchHit => ({
  manualName,
  score: 0.5,
  chunk: { id: `c${pageNumber}`, manualId: 'm1', ownerId: 'u1', pageNumber, pageLabel, heading: null, text, ordinal: pageNumber },
});

const passages = [
  hit('printer.pdf', 12, '10', 'To change the resolution, open Settings > Print quality and choose 600 dpi.'),
  hit('printer.pdf', 30, null, 'The paper tray holds 250 sheets.'),
];

let fake: FakeOpenAiServer;
before(async () => {
  fake = await startFakeOpenAiServer({ apiKey: 'sk-test' });
});
after(() => fake.close());

test('sends numbered passages with manual and page, keeps valid citations and reports usage', async () => {
  fake.chatReply = 'Open Settings > Print quality and choose 600 dpi [1].';
  fake.chatUsage = { prompt_tokens: 321, completion_tokens: 12 };
  const writer = new OpenAiAnswerWriter({ endpoint: fake.url, model: 'llama3', apiKey: 'sk-test' });
  const out = await writer.write('How do I change the resolution?', passages);

  assert.equal(out.answer, 'Open Settings > Print quality and choose 600 dpi [1].');
  assert.deepEqual(out.cited, [0]);
  assert.deepEqual(out.usage, { inputTokens: 321, outputTokens: 12, model: 'llama3' });
  assert.equal(writer.id, 'openai:llama3');

  const sent = fake.chatRequests.at(-1)!;
  assert.equal(sent.headers.authorization, 'Bearer sk-test');
  assert.equal(sent.body.model, 'llama3');
  const [system, user] = sent.body.messages!;
  assert.equal(system!.role, 'system');
  assert.match(system!.content, /only/i);
  assert.match(user!.content, /\[1\] printer\.pdf, page 12 \(printed page 10\):\nTo change the resolution/);
  assert.match(user!.content, /\[2\] printer\.pdf, page 30:\nThe paper tray holds 250 sheets\./);
  assert.match(user!.content, /Question: How do I change the resolution\?$/);
});

test('drops citations that point at no passage and strips them from the text', async () => {
  fake.chatReply = 'Choose 600 dpi [1][7]. The tray holds 250 sheets [2, 9]. Toner lasts a year [0].';
  const writer = new OpenAiAnswerWriter({ endpoint: `${fake.url}/v1`, model: 'm', apiKey: 'sk-test' });
  const out = await writer.write('q', passages);
  assert.equal(out.answer, 'Choose 600 dpi [1]. The tray holds 250 sheets [2]. Toner lasts a year.');
  assert.deepEqual(out.cited, [0, 1]);
});

test('an answer with no citations cites nothing', async () => {
  fake.chatReply = 'The manuals do not cover that.';
  const out = await new OpenAiAnswerWriter({ endpoint: fake.url, model: 'm', apiKey: 'sk-test' }).write('q', passages);
  assert.deepEqual(out.cited, []);
  assert.equal(out.answer, 'The manuals do not cover that.');
});

test('an upstream 500 becomes upstream_error with the upstream message', async () => {
  fake.chatReply = { status: 500, body: { error: { message: 'model crashed' } } };
  const writer = new OpenAiAnswerWriter({ endpoint: fake.url, model: 'm', apiKey: 'sk-test' });
  await assert.rejects(writer.write('q', passages), (e: unknown) => {
    assert.ok(e instanceof ManuelError);
    assert.equal(e.code, 'upstream_error');
    assert.match(e.message, /HTTP 500: model crashed/);
    return true;
  });
});

test('a wrong API key is reported as upstream_error 401', async () => {
  fake.chatReply = 'x';
  const writer = new OpenAiAnswerWriter({ endpoint: fake.url, model: 'm', apiKey: 'wrong' });
  await assert.rejects(writer.write('q', passages), (e: unknown) => e instanceof ManuelError && e.code === 'upstream_error' && /401/.test(e.message));
});

test('a slow model times out with upstream_error', async () => {
  fake.delayMs = 500;
  try {
    const writer = new OpenAiAnswerWriter({ endpoint: fake.url, model: 'm', apiKey: 'sk-test', timeoutMs: 100 });
    const started = Date.now();
    await assert.rejects(writer.write('q', passages), (e: unknown) => e instanceof ManuelError && e.code === 'upstream_error' && /within 100 ms/.test(e.message));
    assert.ok(Date.now() - started < 450, 'the client gave up before the server answered');
  } finally {
    fake.delayMs = 0;
  }
});

test('an unreachable endpoint is upstream_error', async () => {
  const writer = new OpenAiAnswerWriter({ endpoint: 'http://127.0.0.1:9', model: 'm', timeoutMs: 2000 });
  await assert.rejects(writer.write('q', passages), (e: unknown) => e instanceof ManuelError && e.code === 'upstream_error' && /unreachable/.test(e.message));
});

test('endpoint forms resolve to /v1/chat/completions', () => {
  assert.equal(chatCompletionsUrl('http://h:11434'), 'http://h:11434/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://h:11434/v1/'), 'http://h:11434/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://h/v1/chat/completions'), 'http://h/v1/chat/completions');
});

test('extractCitations keeps first-use order and removes duplicates', () => {
  assert.deepEqual(extractCitations('a [3] b [1] c [3, 1]', 3), { text: 'a [3] b [1] c [3, 1]', cited: [2, 0] });
});
