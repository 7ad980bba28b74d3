/**
 * The SQS event source mapping of `npm run aws:local`: what Lambda does for the ErrorProcessor on AWS.
 * Long-polls the dead-letter queue (ReceiveMessage, WaitTimeSeconds), hands each batch to the handler as
 * the SQSEvent Lambda builds (Records[] with messageId, receiptHandle, body, attributes, messageAttributes,
 * md5OfBody, eventSource 'aws:sqs', eventSourceARN, awsRegion) and deletes the messages that are not in
 * the answer's `batchItemFailures` (FunctionResponseTypes: ReportBatchItemFailures). A message the handler
 * fails on entirely stays on the queue and comes back after its visibility timeout, as on AWS.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { Logger } from '../core/ports/logger.js';
import { lambdaContext } from './aws-local-proxy.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsPollerOptions {
  client: SQSClient;
  queueUrl: string;
  region: string;
  handler: SqsHandler;
  logger: Logger;
  functionName?: string;
  /** The event source mapping's BatchSize (SQS allows at most 10 per ReceiveMessage; default 10). */
  batchSize?: number;
  /** Long polling (default 20 s, SQS's most); stop() aborts the wait. */
  waitSeconds?: number;
  /** Visibility timeout of received messages (default: the queue's). */
  visibilityTimeoutSeconds?: number;
  /** The function's timeout in its context (default 60 s). */
  timeoutMs?: number;
}

export interface SqsPoller {
  /** Batches handed to the handler so far. */
  readonly invocations: number;
  stop(): Promise<void>;
}

function lambdaAttributes(m: Message): SQSRecord['attributes'] {
  const a = m.Attributes ?? {};
  return {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: a.SentTimestamp ?? String(Date.now()),
    SenderId: a.SenderId ?? '000000000000',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
    ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    ...(a.AWSTraceHeader ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
  };
}

/** SQS API's message attributes in the event's shape (camelCase, binary as base64, empty lists). */
function lambdaMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(attrs ?? {})) {
    out[name] = {
      dataType: v.DataType ?? 'String',
      stringListValues: [],
      binaryListValues: [],
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString('base64') } : {}),
    };
  }
  return out;
}

/** The SQSEvent Lambda's SQS event source builds from one ReceiveMessage answer. */
export function toSqsEvent(messages: Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: lambdaAttributes(m),
      messageAttributes: lambdaMessageAttributes(m.MessageAttributes),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    })),
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export async function startSqsPoller(o: SqsPollerOptions): Promise<SqsPoller> {
  const { QueueArn, VisibilityTimeout } = (await o.client.send(new GetQueueAttributesCommand({ QueueUrl: o.queueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }))).Attributes ?? {};
  const queueArn = QueueArn ?? `arn:aws:sqs:${o.region}:000000000000:${o.queueUrl.split('/').pop()}`;
  const fn = o.functionName ?? 'error-processor';
  const log = o.logger.child({ component: 'sqs-event-source', function: fn });
  const abort = new AbortController();
  let invocations = 0;

  const loop = async () => {
    while (!abort.signal.aborted) {
      let messages: Message[];
      try {
        const res = await o.client.send(
          new ReceiveMessageCommand({
            QueueUrl: o.queueUrl,
            MaxNumberOfMessages: Math.min(10, o.batchSize ?? 10),
            WaitTimeSeconds: o.waitSeconds ?? 20,
            ...(o.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: o.visibilityTimeoutSeconds } : {}),
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = res.Messages ?? [];
      } catch (e) {
        if (abort.signal.aborted) return;
        log.warn({ err: e }, 'ReceiveMessage failed: polling again in 1 s');
        await sleep(1000, abort.signal);
        continue;
      }
      if (messages.length === 0) continue;
      const event = toSqsEvent(messages, queueArn, o.region);
      let failed: Set<string>;
      try {
        invocations++;
        const answer = await o.handler(event, lambdaContext(fn, o.timeoutMs ?? 60_000));
        failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      } catch (e) {
        // A function error: the whole batch becomes visible again after the visibility timeout.
        log.error({ err: e, messages: messages.length, visibility_timeout_s: VisibilityTimeout }, 'function failed: the batch returns to the queue');
        continue;
      }
      const done = event.Records.filter((r) => !failed.has(r.messageId));
      if (done.length === 0) continue;
      try {
        const res = await o.client.send(new DeleteMessageBatchCommand({ QueueUrl: o.queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
        if (res.Failed?.length) log.warn({ failed: res.Failed }, 'some processed messages could not be deleted: they will come back');
      } catch (e) {
        log.warn({ err: e }, 'DeleteMessageBatch failed: the processed messages will come back');
      }
    }
  };
  const running = loop();
  return {
    get invocations() {
      return invocations;
    },
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}
