import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { pino } from 'pino';
import { clientConfig } from '../adapters/aws/aws-client-config.js';
import type { Logger } from '../core/ports/logger.js';
import { motoSkip, startMoto, type MotoServer } from '../../test/helpers/aws-emulators.js';
import { startSqsPoller } from './aws-local-dlq.js';

const logger = pino({ level: 'silent' }) as unknown as Logger;

describe("aws:local's SQS event source (the ErrorProcessor's)", { skip: motoSkip() }, () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  before(async () => {
    moto = await startMoto();
    sqs = new SQSClient(clientConfig(moto.settings, 'sqs'));
  });
  after(async () => {
    sqs?.destroy();
    await moto?.close();
  });

  const depth = async (queueUrl: string) => {
    const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  };

  it("hands received messages over as Lambda's SQSEvent and deletes all but the batchItemFailures", async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `poller-${Date.now()}` }))).QueueUrl!;
    const { QueueArn } = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"n":1}', MessageAttributes: { kind: { DataType: 'String', StringValue: 'ingest' } } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"n":2}' }));
    const events: SQSEvent[] = [];
    let failedId = '';
    const poller = await startSqsPoller({
      client: sqs,
      queueUrl,
      region: 'us-east-1',
      logger,
      waitSeconds: 1,
      visibilityTimeoutSeconds: 30,
      handler: async (event) => {
        events.push(event);
        const two = event.Records.find((r) => r.body === '{"n":2}');
        if (!two) return { batchItemFailures: [] };
        failedId = two.messageId;
        return { batchItemFailures: [{ itemIdentifier: two.messageId }] };
      },
    });
    try {
      const deadline = Date.now() + 15_000;
      while (events.flatMap((e) => e.Records).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const records = events.flatMap((e) => e.Records);
      assert.equal(records.length, 2);
      const one = records.find((r) => r.body === '{"n":1}')!;
      assert.equal(one.eventSource, 'aws:sqs');
      assert.equal(one.eventSourceARN, QueueArn);
      assert.equal(one.awsRegion, 'us-east-1');
      assert.ok(one.messageId && one.receiptHandle);
      assert.equal(one.md5OfBody, createHash('md5').update('{"n":1}').digest('hex'));
      assert.equal(one.attributes.ApproximateReceiveCount, '1');
      assert.match(one.attributes.SentTimestamp, /^\d+$/);
      assert.deepEqual(one.messageAttributes, { kind: { dataType: 'String', stringValue: 'ingest', stringListValues: [], binaryListValues: [] } });
      assert.equal(poller.invocations, events.length);
      // The processed one is deleted; the reported failure stays (in flight until its visibility timeout).
      const until = Date.now() + 5000;
      while ((await depth(queueUrl)) !== 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await depth(queueUrl), 1);
      assert.ok(failedId);
    } finally {
      await poller.stop();
    }
  });

  it('stop() ends a long poll at once, and a function error leaves the batch on the queue', async () => {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `poller-stop-${Date.now()}` }))).QueueUrl!;
    let calls = 0;
    const poller = await startSqsPoller({
      client: sqs,
      queueUrl,
      region: 'us-east-1',
      logger,
      waitSeconds: 20,
      visibilityTimeoutSeconds: 30,
      handler: async () => {
        calls++;
        throw new Error('function error');
      },
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'x' }));
    const deadline = Date.now() + 15_000;
    while (calls === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 1);
    assert.equal(await depth(queueUrl), 1, 'not deleted after a function error');
    const t0 = Date.now();
    await poller.stop();
    assert.ok(Date.now() - t0 < 2000, `stop took ${Date.now() - t0} ms during a 20 s long poll`);
  });
});
