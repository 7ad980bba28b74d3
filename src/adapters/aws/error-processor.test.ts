import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { motoSkip, startMoto, type MotoServer } from '../../../test/helpers/aws-emulators.js';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { RecordingNotifier } from '../../../test/helpers/recording-ops.js';
import { sampleLetter } from '../../../test/contract/dead-letter-queue.contract.js';
import { tempDb } from '../../../test/contract/sqlite-temp.js';
import { SqliteDeadLetterQueue } from '../embedded/sqlite-dead-letter-queue.js';
import { SqliteErrorTracker } from '../embedded/sqlite-error-tracker.js';
import { keepDeadLetter } from '../../core/ingest/dead-letters.js';
import type { Job } from '../../core/model/types.js';
import type { DeadLetterQueue } from '../../core/ports/dead-letter-queue.js';
import { clientConfig } from './aws-client-config.js';
import { INVALID_DEAD_LETTER, processDeadLetterBatch } from './error-processor.js';
import { deadLetterMessage, parseDeadLetterMessage, SqsDeadLetterSender, sqsForwardingDeadLetters } from './sqs-dead-letter-sender.js';

/** The SQS record Lambda's event source mapping builds from a received message. */
function lambdaRecord(m: Message, queueArn: string): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body!,
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: m.Attributes?.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType as 'String', stringListValues: [], binaryListValues: [] }]),
    ),
    md5OfBody: m.MD5OfBody!,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

const record = (messageId: string, body: string): SQSRecord => lambdaRecord({ MessageId: messageId, ReceiptHandle: 'rh', Body: body, MD5OfBody: 'x' }, 'arn:aws:sqs:us-east-1:123456789012:dlq');

function sqliteOps() {
  const t = tempDb();
  return { dlq: new SqliteDeadLetterQueue(t.db), errors: new SqliteErrorTracker(t.db), cleanup: t.cleanup };
}

const failedJob = (id: string): Job => ({
  id,
  kind: 'ingest',
  manualId: `manual-${id}`,
  ownerId: 'alice',
  status: 'processing',
  stage: 'extracting',
  attempts: 3,
  createdAt: '2025-03-10T12:00:00.000Z',
  updatedAt: '2025-03-10T12:00:20.000Z',
  startedAt: '2025-03-10T12:00:01.000Z',
  finishedAt: null,
  statistics: {},
  failureReasons: [],
  firstFailedAt: '2025-03-10T12:00:05.000Z',
});

describe('dead letters over SQS, on moto: the worker sends, the ErrorProcessor keeps, records and alerts', { skip: motoSkip() }, () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let queueUrl: string;
  let queueArn: string;
  before(async () => {
    moto = await startMoto();
    sqs = new SQSClient(clientConfig(moto.settings, 'sqs'));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'manuel-dlq', Attributes: { MessageRetentionPeriod: '1209600' } }))).QueueUrl!;
    queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  });
  after(async () => {
    sqs?.destroy();
    await moto?.close();
  });

  async function receiveAll(): Promise<Message[]> {
    const out: Message[] = [];
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
      if (!r.Messages?.length) return out;
      out.push(...r.Messages);
    }
  }

  it('send -> receive -> SQSEvent -> processDeadLetterBatch: letters kept once per job, errors recorded, one alert per kind of failure', async () => {
    const ops = sqliteOps();
    try {
      const sender = new SqsDeadLetterSender({ client: sqs, queueUrl });
      // The worker's side: the core's keepDeadLetter with the AWS DeadLetterQueue (sends, table for the rest).
      const workerLogger = new MemoryLogger();
      const sent = await keepDeadLetter({ deadLetters: sqsForwardingDeadLetters(sender, ops.dlq) }, workerLogger, failedJob('j1'), {
        errorType: 'pdf_timeout',
        message: 'Reading the PDF made no progress for 30000 ms',
        at: '2025-03-10T12:00:20.000Z',
      });
      assert.match(sent!.id, /^sqs:/);
      assert.equal(await ops.dlq.size(), 0, 'nothing is kept before the processor runs');
      await sender.send(sampleLetter('j2', { errorType: 'pdf_timeout' }));
      await sender.send(sampleLetter('j3', { errorType: 'no_text', error: 'x'.repeat(5000) }));
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"hello":"world"}' }));

      const messages = await receiveAll();
      assert.equal(messages.length, 4);
      const letterMessage = messages.find((m) => m.Body!.includes('"j1"'))!;
      assert.equal(letterMessage.MessageAttributes?.error_type?.StringValue, 'pdf_timeout');
      const event: SQSEvent = { Records: messages.map((m) => lambdaRecord(m, queueArn)) };
      const notifier = new RecordingNotifier();
      const logger = new MemoryLogger();
      const res = await processDeadLetterBatch(event, { deadLetters: ops.dlq, errors: ops.errors, notifier, logger });
      assert.deepEqual(res, { batchItemFailures: [] });

      const letters = await ops.dlq.list();
      assert.deepEqual(letters.map((l) => l.jobId).sort(), ['j1', 'j2', 'j3']);
      const j1 = letters.find((l) => l.jobId === 'j1')!;
      assert.deepEqual(
        { ...j1, id: 'x' },
        { id: 'x', jobId: 'j1', kind: 'ingest', manualId: 'manual-j1', ownerId: 'alice', errorType: 'pdf_timeout', error: 'Reading the PDF made no progress for 30000 ms', attempts: 3, createdAt: '2025-03-10T12:00:00.000Z', firstFailedAt: '2025-03-10T12:00:05.000Z', deadAt: '2025-03-10T12:00:20.000Z', retries: 0 },
      );
      assert.equal(letters.find((l) => l.jobId === 'j3')!.error.length, 2000);

      const tracked = await ops.errors.list();
      const byType = Object.fromEntries(tracked.map((r) => [r.error_type, r]));
      assert.equal(byType.pdf_timeout?.count, 2);
      assert.equal(byType.pdf_timeout?.where, 'job:ingest');
      assert.equal(byType.no_text?.count, 1);
      assert.equal(byType[INVALID_DEAD_LETTER]?.count, 1);

      const dlqAlerts = notifier.of('dlq');
      assert.equal(dlqAlerts.length, 4, 'three letters and the invalid message (the notifier, not the processor, deduplicates)');
      const a1 = dlqAlerts.find((a) => a.fields?.job_id === 'j1')!;
      assert.equal(a1.fingerprint, 'dlq:job:ingest:pdf_timeout');
      assert.equal(a1.fields?.dead_letter_id, j1.id);
      assert.equal(a1.fields?.owner_id, 'alice');
      assert.equal(a1.fields?.attempts, 3);
      assert.ok(dlqAlerts.some((a) => a.fingerprint === `dlq:${INVALID_DEAD_LETTER}`));

      // SQS delivers at least once: the same batch again updates the same letters.
      assert.deepEqual(await processDeadLetterBatch(event, { deadLetters: ops.dlq, errors: ops.errors, notifier, logger }), { batchItemFailures: [] });
      assert.equal(await ops.dlq.size(), 3);
    } finally {
      ops.cleanup();
    }
  });
});

describe('processDeadLetterBatch: partial batch failures', () => {
  it('reports only the records whose letter could not be kept; the others are kept, recorded and announced', async () => {
    const ops = sqliteOps();
    try {
      // A table that refuses one job's letter (throttled, say), as the DynamoDB adapter would throw.
      const flaky: DeadLetterQueue = new Proxy(ops.dlq, {
        get(target, prop, receiver) {
          if (prop === 'add') return async (l: Parameters<DeadLetterQueue['add']>[0]) => {
            if (l.jobId === 'bad') throw new Error('ProvisionedThroughputExceededException');
            return target.add(l);
          };
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
      const notifier = new RecordingNotifier();
      let flushed = 0;
      const counting = Object.assign(notifier, { flush: async () => void flushed++ });
      const logger = new MemoryLogger();
      const event: SQSEvent = {
        Records: [
          record('m1', deadLetterMessage(sampleLetter('ok1'))),
          record('m2', deadLetterMessage(sampleLetter('bad'))),
          record('m3', 'not json at all'),
          record('m4', deadLetterMessage(sampleLetter('ok2', { errorType: 'no_text' }))),
        ],
      };
      const res = await processDeadLetterBatch(event, { deadLetters: flaky, errors: ops.errors, notifier: counting, logger });
      assert.deepEqual(res, { batchItemFailures: [{ itemIdentifier: 'm2' }] });
      assert.deepEqual((await ops.dlq.list()).map((l) => l.jobId).sort(), ['ok1', 'ok2']);
      assert.equal(notifier.events.filter((e) => e.fields?.job_id === 'bad').length, 0, 'a letter not kept is not announced (it comes back)');
      assert.equal((await ops.errors.list()).filter((r) => r.error_type === 'pdf_timeout').length, 1);
      assert.equal(flushed, 1);
      assert.ok(logger.lines.some((l) => l.level === 'error' && (l.obj as { message_id?: string }).message_id === 'm2'));
      assert.ok(logger.lines.some((l) => l.msg === 'dead-letter batch processed' && (l.obj as { kept: number }).kept === 2));
    } finally {
      ops.cleanup();
    }
  });

  it('works without error tracking or notifier (only the DLQ is required)', async () => {
    const ops = sqliteOps();
    try {
      const res = await processDeadLetterBatch({ Records: [record('m1', deadLetterMessage(sampleLetter('a')))] }, { deadLetters: ops.dlq, logger: new MemoryLogger() });
      assert.deepEqual(res, { batchItemFailures: [] });
      assert.equal(await ops.dlq.size(), 1);
    } finally {
      ops.cleanup();
    }
  });
});

describe('dead-letter messages', () => {
  it('round-trip, and say what is wrong with a body that is not one', () => {
    const letter = sampleLetter('j', { manualId: null, ownerId: null });
    assert.deepEqual(parseDeadLetterMessage(deadLetterMessage(letter)), letter);
    assert.match(String(parseDeadLetterMessage('{')), /not JSON/);
    const wrong = parseDeadLetterMessage(JSON.stringify({ type: 'manuel.dead_letter', version: 1, letter: { ...letter, attempts: -1, deadAt: 'yesterday' } }));
    assert.ok(wrong instanceof Error);
    assert.match(wrong.message, /letter\.attempts/);
    assert.match(wrong.message, /letter\.deadAt/);
  });
});
