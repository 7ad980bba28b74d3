/**
 * The aws shape with EnableRedisCache and monitoring, on aws:local (dynalite, s3rver, moto) and a Redis of
 * our own (redis-server on a free port, killed and restarted here): two warm containers (aws:local's
 * services and a second createAws on the same configuration, behind its own local API Gateway) share one
 * cached answer through Redis; an upload or a delete in one container makes the next question miss in the
 * other; with Redis killed every question is still answered (`bypass`) and the cache is used again once
 * it is back. Both containers flush their per-minute figures into DynamoDB: the admin dashboard shows
 * every question; an alarm raised by two containers evaluating at once is recorded and published once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { DynamoDbAlarmStates } from '../../src/adapters/aws/dynamodb-alarm-states.js';
import { ExtractiveAnswerWriter } from '../../src/core/ask/extractive-answer-writer.js';
import type { Logger } from '../../src/core/ports/logger.js';
import { localSettings } from '../../src/entry/aws-local-emulators.js';
import { apiGatewayProxy } from '../../src/entry/aws-local-proxy.js';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { ingestRuntimeOf } from '../../src/entry/lambda/aws-services.js';
import { HTTP_FUNCTIONS } from '../../src/entry/lambda/function-routes.js';
import { httpFunction } from '../../src/entry/lambda/http-function.js';
import { createAws, type AwsApp } from '../../src/wiring/aws.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { apiRequest } from '../helpers/server.js';
import { subscribeQueueToAlerts } from '../helpers/aws-local-alerts.js';
import { killOwnRedis, startOwnRedis, testPrefix } from '../helpers/redis-test.js';
import { freePort } from '../helpers/server-processes.js';

const skip = motoSkip();

const pump = buildPdf([['Pump maintenance guide'], ['To prime the centrifugal pump, open the bleed screw until water flows without bubbles.']]);
const boiler = buildPdf([['Boiler manual'], ['To bleed the boiler radiator, turn the valve a quarter turn until water appears.']]);
const question = 'How do I prime the centrifugal pump?';

describe('aws shape: Redis answer cache shared by containers, fail-open, and the monitor on DynamoDB', { skip }, () => {
  let local: AwsLocal;
  let second: AwsApp;
  let secondServer: Server;
  let secondUrl = '';
  let redisPort = 0;
  let redis: ChildProcess | null = null;
  let sqs: SQSClient;
  let sns: SNSClient;
  let alertsQueueUrl = '';
  let user = '';
  let admin = '';
  const adminEmail = `redis-admin-${Date.now()}@example.test`;
  const asked = { a: 0, b: 0 };

  const call = apiRequest;
  /** A question through one container ('a': aws:local's, 'b': the second); its status and cache_status. */
  const ask = async (which: 'a' | 'b', q = question) => {
    asked[which]++;
    const res = await call(which === 'a' ? local.url : secondUrl, '/api/query', { token: user, json: { question: q } });
    const body = (await res.json()) as { answer: string; cache_status: string };
    return { status: res.status, ...body };
  };
  const upload = async (via: string, pdf: Buffer, name: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), name);
    const res = await call(via, '/api/manuals/upload', { token: user, body: form });
    assert.equal(res.status, 202, await res.clone().text());
    const { manual_id, job_id } = (await res.json()) as { manual_id: string; job_id: string };
    // S3's ObjectCreated event runs ProcessManual (aws:local's container): wait until the job is done.
    let status = '';
    for (let i = 0; i < 300 && status !== 'completed' && status !== 'failed'; i++) {
      await local.ingestionIdle();
      status = ((await (await call(via, `/api/ingestion/status?job_id=${job_id}`, { token: user })).json()) as { status: string }).status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'completed', `${name} ingested`);
    return manual_id;
  };

  before(async () => {
    redisPort = await freePort();
    redis = await startOwnRedis(redisPort);
    local = await startAwsLocal({
      port: 0,
      models: { embedder: null, transcriber: null },
      scheduleMs: 0,
      dlqWaitSeconds: 1,
      parameters: {
        EnableRedisCache: true,
        RedisUrl: `redis://127.0.0.1:${redisPort}`,
        RedisKeyPrefix: testPrefix('aws-redis'),
        EnableAdvancedErrorHandling: true,
        AdminEmail: adminEmail,
        DailyQuotaLimit: 0,
        MonthlyQuotaLimit: 0,
        // Every answer costs 1 EUR against a 2 EUR daily threshold: the third one raises DailyCostThreshold.
        PriceQueryEur: 1,
        DailyCostThreshold: 2,
      },
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    // A second warm container: its own services (own Redis connection, own minute aggregates) on the same
    // configuration, behind its own local API Gateway.
    const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) as unknown as Logger;
    second = await createAws(local.services.config, { embedder: null, transcriber: null, answerWriter: new ExtractiveAnswerWriter(), logger, breakers: { redisPauseMs: 200 } });
    const fn = httpFunction(async () => second);
    secondServer = createServer(
      apiGatewayProxy({
        handlers: Object.fromEntries(HTTP_FUNCTIONS.map((n) => [n, fn])),
        unmatched: (_req, res) => void res.writeHead(404).end(),
        onError: (e) => logger.error({ err: e }, 'second container error'),
      }),
    );
    await new Promise<void>((r) => secondServer.listen(0, '127.0.0.1', () => r()));
    secondUrl = `http://127.0.0.1:${(secondServer.address() as AddressInfo).port}`;

    // What SNS publishes, read from an SQS queue subscribed to the alerts topic (moto delivers SNS -> SQS).
    ({ sqs, sns, queueUrl: alertsQueueUrl } = await subscribeQueueToAlerts(local, `redis-monitor-alerts-${Date.now()}`));

    const signup = async (email: string) => {
      const res = await call(local.url, '/api/auth/signup', { json: { email, password: 'correct horse battery' } });
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { access_token: string }).access_token;
    };
    admin = await signup(adminEmail);
    user = await signup(`redis-user-${Date.now()}@example.test`);
  });
  after(async () => {
    await new Promise<void>((r) => (secondServer ? (secondServer.closeAllConnections(), secondServer.close(() => r())) : r()));
    await second?.close();
    await local?.close();
    sqs?.destroy();
    sns?.destroy();
    if (redis) await killOwnRedis(redis);
  });

  it('wires the answer cache to Redis in every container (a health probe says so)', async () => {
    assert.ok(local.services.redis && second.redis, 'both containers hold a Redis connection');
    const probes = [...(local.services.healthProbes ?? []), ...(second.healthProbes ?? [])].filter((p) => p.name === 'redis');
    assert.equal(probes.length, 2, 'each container reports its Redis connection in /health/deep');
    for (const p of probes) assert.equal((await p.check(AbortSignal.timeout(5000))).status, 'ok');
  });

  it('two warm containers share one cached answer through Redis', async () => {
    await upload(local.url, pump, 'pump.pdf');
    const first = await ask('a');
    assert.equal(first.status, 200);
    assert.equal(first.cache_status, 'miss');
    assert.match(first.answer, /bleed screw/);
    const other = await ask('b');
    assert.equal(other.cache_status, 'hit', 'the second container reads the answer the first one stored');
    assert.equal(other.answer, first.answer);
  });

  it('an upload and a delete in one container bump the version: the next question misses in the other', async () => {
    const boilerId = await upload(secondUrl, boiler, 'boiler.pdf');
    assert.equal((await ask('a')).cache_status, 'miss', 'after an upload');
    assert.equal((await ask('b')).cache_status, 'hit');
    const del = await call(secondUrl, `/api/manuals/${boilerId}`, { token: user, method: 'DELETE' });
    assert.ok(del.status === 200 || del.status === 204, String(del.status));
    assert.equal((await ask('a')).cache_status, 'miss', 'after a delete');
    assert.equal((await ask('b')).cache_status, 'hit');
  });

  it('with Redis killed every question is answered (bypass); once it is back the cache is used again', async () => {
    await killOwnRedis(redis!);
    redis = null;
    for (const which of ['a', 'b', 'a', 'b'] as const) {
      const r = await ask(which);
      assert.equal(r.status, 200);
      assert.equal(r.cache_status, 'bypass');
      assert.match(r.answer, /bleed screw/);
    }
    redis = await startOwnRedis(redisPort);
    // ioredis reconnects in the background and the breaker half-opens after its pause: ask until stored.
    let status = 'bypass';
    for (let i = 0; i < 300 && status === 'bypass'; i++) {
      const r = await ask('a');
      assert.equal(r.status, 200);
      status = r.cache_status;
      if (status === 'bypass') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(status, 'miss', 'a fresh Redis: the answer is stored again');
    let other = 'bypass';
    for (let i = 0; i < 300 && other === 'bypass'; i++) {
      other = (await ask('b')).cache_status;
      if (other === 'bypass') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(other, 'hit', 'and shared with the other container');
  });

  it('the admin dashboard shows the questions of both containers, their cache hits and latency', async () => {
    const res = await call(local.url, '/api/admin/dashboard?minutes=30', { token: admin });
    assert.equal(res.status, 200, await res.clone().text());
    const d = (await res.json()) as {
      series: Record<string, (number | null)[]>;
      cache_hit_rate: number | null;
      cost_by_day: { eur: number }[];
    };
    const sum = (k: string) => d.series[k]!.reduce<number>((s, v) => s + (v ?? 0), 0);
    assert.equal(sum('answers'), asked.a + asked.b, 'every answer of both containers');
    assert.ok(sum('requests') >= asked.a + asked.b, `requests ${sum('requests')}`);
    assert.ok(sum('cache_hits') >= 4 && sum('cache_misses') >= 3 && sum('cache_bypass') >= 4, JSON.stringify({ h: sum('cache_hits'), m: sum('cache_misses'), b: sum('cache_bypass') }));
    assert.ok(d.cache_hit_rate !== null && d.cache_hit_rate > 0 && d.cache_hit_rate < 1);
    assert.ok(d.series.p95_ms!.some((v) => v !== null && v > 0), 'latency percentiles from the merged sketches');
    assert.ok(sum('pages_ingested') >= 2, 'ProcessManual flushed its ingestion figures too');
    assert.ok(d.cost_by_day.reduce((s, c) => s + c.eur, 0) >= asked.a + asked.b, 'each answer priced 1 EUR');
  });

  it('an alarm evaluated by two containers at once is recorded once and published to SNS once', async () => {
    // The scheduled ProcessManual invocation of each container (both at the same time).
    await Promise.all([ingestRuntimeOf(local.services).afterInvocation!(), ingestRuntimeOf(second).afterInvocation!()]);
    const dynamo = new DynamoDBClient(clientConfig(localSettings(local.endpoints), 'dynamodb'));
    const states = await new DynamoDbAlarmStates(DynamoDBDocumentClient.from(dynamo), local.services.config.tables.errorTracking!).list();
    dynamo.destroy();
    const cost = states.find((s) => s.name === 'DailyCostThreshold');
    assert.equal(cost?.state, 'alarm', JSON.stringify(states));
    const dash = (await (await call(secondUrl, '/api/admin/dashboard?minutes=5', { token: admin })).json()) as { alarms: { name: string; state: string }[] };
    assert.equal(dash.alarms.find((a) => a.name === 'DailyCostThreshold')?.state, 'alarm');

    // Evaluated again: no new transition, no new message.
    await Promise.all([ingestRuntimeOf(local.services).afterInvocation!(), ingestRuntimeOf(second).afterInvocation!()]);
    const bodies: string[] = [];
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: alertsQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!r.Messages?.length) break;
      bodies.push(...r.Messages.map((m) => m.Body ?? ''));
    }
    const raised = bodies.filter((b) => b.includes('ALARM DailyCostThreshold'));
    assert.equal(raised.length, 1, bodies.join('\n---\n'));
  });
});
