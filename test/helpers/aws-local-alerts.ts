/**
 * What aws:local's SNS alerts topic publishes, read from an SQS queue subscribed to it (moto delivers
 * SNS → SQS, and an SQS subscription is confirmed at once, like a confirmed AlertEmail on AWS).
 */
import assert from 'node:assert/strict';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListTopicsCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { localSettings } from '../../src/entry/aws-local-emulators.js';
import type { AwsLocal } from '../../src/entry/aws-local.js';

export interface AlertsQueue {
  sqs: SQSClient;
  sns: SNSClient;
  queueUrl: string;
  topicArn: string;
  close(): void;
}

export async function subscribeQueueToAlerts(local: Pick<AwsLocal, 'endpoints'>, queueName: string): Promise<AlertsQueue> {
  const settings = localSettings(local.endpoints);
  const sqs = new SQSClient(clientConfig(settings, 'sqs'));
  const sns = new SNSClient(clientConfig(settings, 'sns'));
  const topicArn = (await sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((a) => a.endsWith(':manuel-local-alerts'));
  assert.ok(topicArn, 'the alerts topic exists');
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: arn }));
  return {
    sqs,
    sns,
    queueUrl,
    topicArn,
    close: () => {
      sqs.destroy();
      sns.destroy();
    },
  };
}
