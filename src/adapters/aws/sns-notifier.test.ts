import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { motoSkip, startMoto, type MotoServer } from '../../../test/helpers/aws-emulators.js';
import { ManualClock, MemoryLogger } from '../../../test/helpers/fakes.js';
import type { AlertEvent } from '../../core/ports/notifier.js';
import { clientConfig } from './aws-client-config.js';
import { emailText, SnsNotifier, snsSubject, type SnsAlertPayload } from './sns-notifier.js';

const alert = (fingerprint = 'fp-1', o: Partial<AlertEvent> = {}): AlertEvent => ({
  kind: 'dlq',
  severity: 'high',
  fingerprint,
  title: 'Dead letter: ingest job failed after 3 attempts (pdf_unreadable)',
  text: 'The PDF could not be read',
  fields: { job_id: 'j1', manual_id: 'm1', attempts: 3, owner_id: null },
  ...o,
});

interface Envelope {
  Type: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

it('snsSubject keeps subjects to 100 printable ASCII characters on one line', () => {
  assert.equal(snsSubject('Größe\nüber 10 MB'), 'Groe uber 10 MB');
  assert.equal(snsSubject('x'.repeat(150)).length, 100);
  assert.equal(snsSubject('\u{1F6A8}'), 'manuel alert');
});

describe('SnsNotifier on moto SNS (an SQS queue subscribed to the topic)', { skip: motoSkip() }, () => {
  let moto: MotoServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  before(async () => {
    moto = await startMoto();
    sns = new SNSClient(clientConfig(moto.settings, 'sns'));
    sqs = new SQSClient(clientConfig(moto.settings, 'sqs'));
  });
  after(async () => {
    sns?.destroy();
    sqs?.destroy();
    await moto?.close();
  });

  /** A fresh topic with a queue subscribed to it. */
  async function topicWithQueue(name: string): Promise<{ topicArn: string; read: () => Promise<Envelope[]> }> {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-q` }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attrs.Attributes!.QueueArn! }));
    const read = async () => {
      const out: Envelope[] = [];
      for (;;) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!r.Messages?.length) return out;
        out.push(...r.Messages.map((m) => JSON.parse(m.Body!) as Envelope));
      }
    };
    return { topicArn: TopicArn!, read };
  }

  it('publishes the structured alert to JSON subscribers, with a subject and filterable attributes', async () => {
    const { topicArn, read } = await topicWithQueue('alerts-a');
    const clock = new ManualClock();
    const n = new SnsNotifier({ client: sns, topicArn, environment: 'prod', logger: new MemoryLogger(), clock });
    n.notify(alert());
    await n.flush();
    const got = await read();
    assert.equal(got.length, 1);
    const env = got[0]!;
    assert.equal(env.Type, 'Notification');
    assert.equal(env.Subject, '[HIGH] manuel (prod): Dead letter: ingest job failed after 3 attempts (pdf_unreadable)');
    const body = JSON.parse(env.Message) as SnsAlertPayload;
    assert.deepEqual(body, {
      kind: 'dlq',
      severity: 'high',
      fingerprint: 'fp-1',
      title: 'Dead letter: ingest job failed after 3 attempts (pdf_unreadable)',
      text: 'The PDF could not be read',
      fields: { job_id: 'j1', manual_id: 'm1', attempts: 3, owner_id: null },
      suppressed_count: 0,
      dropped_count: 0,
      service: 'manuel',
      environment: 'prod',
      timestamp: '2025-03-10T12:00:00.000Z',
    });
    assert.equal(env.MessageAttributes?.severity?.Value, 'high');
    assert.equal(env.MessageAttributes?.kind?.Value, 'dlq');
    assert.equal(n.stats.sent, 1);
  });

  it('sends one alert per fingerprint per 15 minutes; the next one carries the suppressed count', async () => {
    const { topicArn, read } = await topicWithQueue('alerts-b');
    const clock = new ManualClock();
    const n = new SnsNotifier({ client: sns, topicArn, environment: 'prod', logger: new MemoryLogger(), clock });
    n.notify(alert('fp-a'));
    n.notify(alert('fp-a'));
    n.notify(alert('fp-a'));
    n.notify(alert('fp-b', { severity: 'critical' }));
    await n.flush();
    assert.deepEqual((await read()).map((e) => (JSON.parse(e.Message) as SnsAlertPayload).fingerprint).sort(), ['fp-a', 'fp-b']);
    assert.equal(n.stats.suppressed, 2);
    clock.advance(15 * 60_000);
    n.notify(alert('fp-a'));
    await n.flush();
    const later = (await read()).map((e) => JSON.parse(e.Message) as SnsAlertPayload);
    assert.equal(later.length, 1);
    assert.equal(later[0]!.suppressed_count, 2);
  });

  it('never throws when the topic is gone: the failure is counted and logged', async () => {
    const logger = new MemoryLogger();
    const n = new SnsNotifier({ client: sns, topicArn: 'arn:aws:sns:us-east-1:123456789012:no-such-topic', environment: 'prod', logger });
    n.notify(alert());
    await n.flush();
    assert.equal(n.stats.failed, 1);
    assert.ok(logger.lines.some((l) => l.msg === 'alert not published'));
  });

  it('a full queue drops the oldest alert and says so in the next delivery', async () => {
    const { topicArn, read } = await topicWithQueue('alerts-c');
    const logger = new MemoryLogger();
    const n = new SnsNotifier({ client: sns, topicArn, environment: 'prod', logger, maxQueue: 2 });
    // The first is taken off the queue at once by the sender; of the next three, one is dropped.
    for (const fp of ['q1', 'q2', 'q3', 'q4']) n.notify(alert(fp));
    await n.flush();
    const bodies = (await read()).map((e) => JSON.parse(e.Message) as SnsAlertPayload);
    assert.equal(n.stats.dropped, 1);
    assert.equal(bodies.length, 3);
    assert.ok(!bodies.some((b) => b.fingerprint === 'q2'));
    assert.equal(bodies.find((b) => b.fingerprint === 'q3')?.dropped_count, 1);
  });

  it('target(): the topic and its subscriptions by protocol, never an endpoint; an unreadable topic says why', async () => {
    const { topicArn } = await topicWithQueue('alerts-target');
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops-secret-inbox@example.com' }));
    const n = new SnsNotifier({ client: sns, topicArn, environment: 'prod', logger: new MemoryLogger() });
    const t = await n.target();
    assert.equal(t.kind, 'sns');
    assert.equal(t.kind === 'sns' && t.topic_arn, topicArn);
    const subs = t.kind === 'sns' ? t.subscriptions : null;
    assert.ok(subs);
    assert.deepEqual(subs.map((x) => x.protocol), ['email', 'sqs']);
    assert.equal(subs.find((x) => x.protocol === 'sqs')!.confirmed, 1);
    assert.equal(subs.find((x) => x.protocol === 'email')!.confirmed + subs.find((x) => x.protocol === 'email')!.pending, 1);
    assert.doesNotMatch(JSON.stringify(t), /ops-secret-inbox|:alerts-target-q/);
    const missing = new SnsNotifier({ client: sns, topicArn: topicArn.replace(/[^:]+$/, 'no-such-topic'), environment: 'prod', logger: new MemoryLogger() });
    const m = await missing.target();
    assert.equal(m.kind === 'sns' && m.subscriptions, null);
    assert.match(m.kind === 'sns' ? m.subscriptions_error ?? '' : '', /NotFound/);
  });
});

it('SnsNotifier refuses a malformed topic ARN at construction', () => {
  assert.throws(() => new SnsNotifier({ client: {} as SNSClient, topicArn: 'alerts', environment: 'x', logger: new MemoryLogger() }), /not an SNS topic ARN/);
});

it('the email body an AlertEmail subscriber reads: title, text, fields, what was suppressed or dropped', () => {
  const text = emailText(
    { kind: 'error', severity: 'critical', fingerprint: 'fp-9', title: 'CRITICAL: internal_error in POST /api/query', text: 'TypeError: <str>', fields: { request_id: 'r1', status: 500, where: null }, suppressed_count: 4, dropped_count: 1, service: 'manuel', environment: 'prod', timestamp: '2025-03-10T12:00:00.000Z' },
    15 * 60_000,
  );
  assert.equal(
    text,
    [
      '[CRITICAL] CRITICAL: internal_error in POST /api/query',
      '',
      'TypeError: <str>',
      '',
      'request_id: r1',
      'status: 500',
      'where: -',
      '',
      '4 more like this in the last 15 min, not sent.',
      '1 other alert(s) dropped (queue full).',
      '',
      'manuel (prod) at 2025-03-10T12:00:00.000Z; fingerprint fp-9',
    ].join('\n'),
  );
});
