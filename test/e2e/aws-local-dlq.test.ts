/**
 * End to end on `aws:local` with EnableAdvancedErrorHandling: a poisoned PDF (an object-count bomb, a
 * permanent failure) -> ProcessManual dead-letters the job to SQS (moto) -> the ErrorProcessor's event
 * source (aws-local-dlq.ts) long-polls the queue and invokes the Lambda handler with an SQSEvent -> the
 * letter lands in the error-tracking table (GET /api/admin/dlq, /api/admin/errors) and an alert is published
 * to the SNS topic, read here from an SQS queue subscribed to it -> the message is deleted from the DLQ.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { motoSkip } from '../helpers/aws-emulators.js';
import { apiRequest, type RequestOptions } from '../helpers/server.js';
import { subscribeQueueToAlerts } from '../helpers/aws-local-alerts.js';
import { objectCountBombPdf } from '../helpers/threat-pdfs.js';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';

const skip = motoSkip();

describe('aws:local: poisoned PDF -> DLQ -> ErrorProcessor -> error table + SNS', { skip }, () => {
  let local: AwsLocal;
  let sqs: SQSClient;
  let sns: SNSClient;
  let alertsQueueUrl = '';
  let admin = '';
  let user = '';
  const adminEmail = `dlq-admin-${Date.now()}@example.test`;
  let bomb: Buffer;

  const call = (path: string, o: RequestOptions = {}) => apiRequest(local.url, path, o);
  const signup = async (email: string) => {
    const res = await call('/api/auth/signup', { json: { email, password: 'correct horse battery' } });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const until = async <T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  before(async () => {
    // Built first: seconds of CPU between two requests would outlast the server's keep-alive (ECONNRESET).
    bomb = objectCountBombPdf(600_000);
    local = await startAwsLocal({
      port: 0,
      models: { embedder: null, transcriber: null },
      scheduleMs: 0,
      dlqWaitSeconds: 1,
      parameters: { EnableAdvancedErrorHandling: true, AdminEmail: adminEmail, MaxRetryAttempts: 2, BaseRetryDelay: 50, MaxRetryDelay: 200 },
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    // An SQS queue subscribed to the alerts topic (moto delivers SNS -> SQS): what SNS published.
    ({ sqs, sns, queueUrl: alertsQueueUrl } = await subscribeQueueToAlerts(local, 'dlq-test-alerts'));
    admin = await signup(adminEmail);
    user = await signup(`dlq-user-${Date.now()}@example.test`);
  });
  after(async () => {
    sqs?.destroy();
    sns?.destroy();
    await local?.close();
  });

  it('fails the job, keeps the letter, tracks the error, publishes one alert and empties the DLQ', async () => {
    const started = Date.now();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bomb)], { type: 'application/pdf' }), 'bomb.pdf');
    const up = await call('/api/manuals/upload', { token: user, body: form });
    assert.equal(up.status, 202, await up.clone().text());
    const { manual_id, job_id } = (await up.json()) as { manual_id: string; job_id: string };

    type Job = { status: string; attempts: number; failure_reasons: string[] };
    const job = await until('the job to fail', async () => {
      const j = (await (await call(`/api/ingestion/status?job_id=${job_id}`, { token: user })).json()) as Job;
      return j.status === 'failed' || j.status === 'completed' ? j : undefined;
    });
    assert.equal(job.status, 'failed', JSON.stringify(job));
    assert.equal(job.attempts, 1, 'a permanent error is not retried');
    assert.match(job.failure_reasons[0]!, /^pdf_bomb: /);

    // The letter reached the table only through SQS and the ErrorProcessor (the worker only sends it).
    type Letter = { job_id: string; manual_id: string; error_type: string; manual_name: string | null; attempts: number };
    const letter = await until('the dead letter in GET /api/admin/dlq', async () => {
      const res = await call('/api/admin/dlq', { token: admin });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { dead_letters: Letter[] }).dead_letters.find((l) => l.job_id === job_id);
    });
    assert.equal(letter.manual_id, manual_id);
    assert.equal(letter.error_type, 'pdf_bomb');
    assert.equal(letter.manual_name, 'bomb.pdf');
    assert.equal(letter.attempts, 1);
    assert.equal((await call('/api/admin/dlq', { token: user })).status, 403, 'admin only');

    const errors = (await (await call('/api/admin/errors', { token: admin })).json()) as { errors: { error_type: string; where: string; sample_request_id: string | null }[] };
    const tracked = errors.errors.find((e) => e.error_type === 'pdf_bomb');
    assert.ok(tracked, JSON.stringify(errors));
    assert.equal(tracked.where, 'job:ingest');
    assert.equal(tracked.sample_request_id, job_id);

    // SNS -> SQS envelope: { Type: 'Notification', TopicArn, Subject, Message }.
    const alerts = await until('the SNS alert', async () => {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: alertsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      return r.Messages?.length ? r.Messages : undefined;
    });
    const published = alerts.map((m) => JSON.parse(m.Body!) as { Type: string; TopicArn: string; Subject?: string; Message: string });
    assert.ok(published.every((p) => p.Type === 'Notification' && p.TopicArn.endsWith(':manuel-local-alerts')));
    const alert = published.find((p) => p.Message.includes(job_id));
    assert.ok(alert, JSON.stringify(published));
    assert.match(`${alert.Subject ?? ''} ${alert.Message}`, /pdf_bomb/);

    // The processed message was deleted from the DLQ (not in batchItemFailures).
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'manuel-local-dlq' }))).QueueUrl!;
    await until('the DLQ to be empty', async () => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) === 0 ? true : undefined;
    });
    assert.ok(Date.now() - started < 45_000, `${Date.now() - started} ms`);
  });
});
