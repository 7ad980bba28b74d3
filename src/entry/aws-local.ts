/**
 * `npm run aws:local`: the aws shape on one machine. The Lambda handlers of src/entry/lambda run behind a
 * local API Gateway (aws-local-proxy.ts) on real API emulators (aws-local-emulators.ts); S3's object
 * events start ProcessManual like the bucket notification does on AWS. Bedrock, Titan and Transcribe are
 * replaced by the embedded answer writer, the bundled embedding model and pocketsphinx behind the same
 * ports, injected here so the Lambda bundles never contain them. Serves the web app's files for paths
 * that are not API resources (what CloudFront + S3 do on AWS). With EnableRedisCache, the Redis server
 * (RedisUrl, or 127.0.0.1:6379; keys under a prefix of the run) stands in for Valkey Serverless. State
 * lives for the run.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { CognitoIdentityProviderClient, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { clientConfig, type AwsSettings } from '../adapters/aws/aws-client-config.js';
import { TABLES, type TableKey } from '../adapters/aws/dynamodb-tables.js';
import { parametersFromEnv, parseParameters, readParametersFile, type Parameters } from '../config/parameters.js';
import { ExtractiveAnswerWriter } from '../core/ask/extractive-answer-writer.js';
import type { Embedder } from '../core/ports/embedder.js';
import type { Logger } from '../core/ports/logger.js';
import { pino } from 'pino';
import type { Transcriber } from '../core/ports/transcriber.js';
import type { AppEnv } from '../http/app-env.js';
import { mountWebApp } from '../http/routes/web-app-routes.js';
import { createAws, loadAwsConfig, type AwsApp, type AwsOptions } from '../wiring/aws.js';
import { apiGatewayProxy, lambdaContext } from './aws-local-proxy.js';
import { localSettings, motoAvailable, startLocalDynamo, startLocalMoto, startLocalS3, type LocalDynamo, type LocalMoto, type LocalS3, type S3ObjectEvent } from './aws-local-emulators.js';
import { HTTP_FUNCTIONS } from './lambda/function-routes.js';
import { httpFunction } from './lambda/http-function.js';
import { ingestFunction } from './lambda/ingest-function.js';
import { errorProcessorFunction } from './lambda/error-processor.js';
import { startSqsPoller } from './aws-local-dlq.js';
import { ingestRuntimeOf } from './lambda/aws-services.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsLocalOptions {
  port?: number;
  host?: string;
  /** Parameters (names of the parameters file), over MANUEL_PARAMETERS and the environment's. */
  parameters?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Replace the local models (tests: keyword search only, no recogniser). */
  models?: Pick<AwsOptions, 'embedder' | 'transcriber' | 'answerWriter' | 'audioDecoder'>;
  /** How often ProcessManual also runs on a schedule (jobs no new object announces; default 60 s, 0 = never). */
  scheduleMs?: number;
  /** Wait before Lambda's asynchronous retries of a failed ProcessManual invocation (AWS: 1 and 2 minutes). */
  retryDelaysMs?: number[];
  webDir?: string;
  logLevel?: string;
  /** Long polling of the dead-letter queue by the ErrorProcessor's event source (default 20 s). */
  dlqWaitSeconds?: number;
}

export interface AwsLocal {
  url: string;
  services: AwsApp;
  endpoints: AwsSettings['endpoints'];
  /** Resolves when every ProcessManual invocation started so far has ended. */
  ingestionIdle(): Promise<void>;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, ...(here.includes('/dist/') ? ['..', '..', '..'] : ['..', '..']));

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

const onPath = (bin: string) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, bin)));

/** A user pool and an app client like the template's (email sign-in, USER_PASSWORD_AUTH, no secret). */
export async function createCognito(settings: AwsSettings): Promise<{ userPoolId: string; clientId: string }> {
  const c = new CognitoIdentityProviderClient(clientConfig(settings, 'cognito'));
  try {
    const pool = await c.send(
      new CreateUserPoolCommand({
        PoolName: 'manuel-local',
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        Policies: { PasswordPolicy: { MinimumLength: 8, RequireLowercase: false, RequireUppercase: false, RequireNumbers: false, RequireSymbols: false } },
      }),
    );
    const userPoolId = pool.UserPool!.Id!;
    const client = await c.send(
      new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'manuel-web', GenerateSecret: false, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    );
    return { userPoolId, clientId: client.UserPoolClient!.ClientId! };
  } finally {
    c.destroy();
  }
}

async function createQueueAndTopic(settings: AwsSettings): Promise<{ queueUrl: string; topicArn: string }> {
  const sqs = new SQSClient(clientConfig(settings, 'sqs'));
  const sns = new SNSClient(clientConfig(settings, 'sns'));
  try {
    await sqs.send(new CreateQueueCommand({ QueueName: 'manuel-local-dlq' }));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'manuel-local-dlq' }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'manuel-local-alerts' }));
    return { queueUrl: QueueUrl!, topicArn: TopicArn! };
  } finally {
    sqs.destroy();
    sns.destroy();
  }
}

/**
 * Where aws:local's answer cache lives with EnableRedisCache: the RedisUrl it is given, else the machine's
 * Redis (127.0.0.1:6379), always under a key prefix of this run's own. The run's tables start empty, so
 * its manual-set versions start over: without its own prefix a run would be served the answers of an
 * earlier run (or of `npm start` on the same Redis) for the same versions. Nothing changes with the flag off.
 */
export function localRedis(p: Pick<Parameters, 'EnableRedisCache' | 'RedisUrl' | 'RedisKeyPrefix'>, runId = randomBytes(4).toString('hex')): Pick<Parameters, 'RedisUrl' | 'RedisKeyPrefix'> {
  if (!p.EnableRedisCache) return { RedisUrl: p.RedisUrl, RedisKeyPrefix: p.RedisKeyPrefix };
  return { RedisUrl: p.RedisUrl || 'redis://127.0.0.1:6379', RedisKeyPrefix: `${p.RedisKeyPrefix}aws-local:${runId}:` };
}

/** The local stand-ins of Bedrock, Titan and Transcribe (the embedded shape's). */
async function localModels(p: ReturnType<typeof parseParameters>, dataDir: string, given: NonNullable<AwsLocalOptions['models']>): Promise<NonNullable<AwsLocalOptions['models']>> {
  let embedder: Embedder | null = null;
  if (given.embedder !== undefined) embedder = given.embedder;
  else if (p.EmbeddingWorkers > 0) embedder = await (await import('../adapters/embedded/local-embedder.js')).LocalEmbedder.create({ workers: p.EmbeddingWorkers });
  let transcriber: Transcriber | null = null;
  if (given.transcriber !== undefined) transcriber = given.transcriber;
  else if (onPath('pocketsphinx_continuous')) {
    const { PocketsphinxTranscriber } = await import('../adapters/embedded/pocketsphinx-transcriber.js');
    transcriber = new PocketsphinxTranscriber({ cacheDir: join(dataDir, 'sphinx') });
  }
  return { ...given, embedder, transcriber, answerWriter: given.answerWriter ?? new ExtractiveAnswerWriter() };
}

export async function startAwsLocal(opts: AwsLocalOptions = {}): Promise<AwsLocal> {
  const env = opts.env ?? process.env;
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-aws-local-'));
    closers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const dynamo: LocalDynamo = await startLocalDynamo();
    closers.push(dynamo.close);
    const s3: LocalS3 = await startLocalS3();
    closers.push(s3.close);
    if (!motoAvailable()) throw new Error("aws:local needs moto_server for Cognito, SQS and SNS: pip install 'moto[server]'");
    const moto: LocalMoto = await startLocalMoto();
    closers.push(moto.close);
    const settings = localSettings({ dynamodb: dynamo.endpoint, s3: s3.endpoint, cognito: moto.endpoint, sqs: moto.endpoint, sns: moto.endpoint });
    const cognito = await createCognito(settings);
    const { queueUrl, topicArn } = await createQueueAndTopic(settings);

    // The environment the template gives each function.
    const fnEnv: NodeJS.ProcessEnv = {
      ...Object.fromEntries((Object.keys(TABLES) as TableKey[]).map((k) => [TABLES[k].envVar, dynamo.tables[k]])),
      MANUALS_BUCKET: s3.buckets.manuals,
      AUDIO_BUCKET: s3.buckets.audio,
      DEAD_LETTER_QUEUE_URL: queueUrl,
      ALERTS_TOPIC_ARN: topicArn,
      COGNITO_USER_POOL_ID: cognito.userPoolId,
      COGNITO_CLIENT_ID: cognito.clientId,
      COGNITO_JWKS_URI: `${moto.endpoint}/${cognito.userPoolId}/.well-known/jwks.json`,
      MANUEL_DATA_DIR: dataDir,
      MANUEL_VERSION: packageVersion(),
      LOG_LEVEL: opts.logLevel ?? env.LOG_LEVEL ?? 'info',
    };
    const config = loadAwsConfig(fnEnv);
    config.aws = settings;
    const file = env.MANUEL_PARAMETERS ? readParametersFile(env.MANUEL_PARAMETERS) : {};
    // A local secret unless one is given (API-key sealing needs one); AWS takes it from the stack's parameter.
    config.parameters = parseParameters({ JwtSecret: 'aws-local-only-secret-not-for-deployment-0123456789', ...file, ...parametersFromEnv(env), ...opts.parameters });
    // EnableRedisCache: the Redis server stands in for Valkey Serverless.
    Object.assign(config.parameters, localRedis(config.parameters));
    const models = await localModels(config.parameters, dataDir, opts.models ?? {});
    // One JSON line per entry like the server's (pino): the Powertools logger is for Lambda's CloudWatch.
    const logger = pino({ level: config.logLevel, base: { service: 'manuel', shape: 'aws-local' } }) as unknown as Logger;
    const services = await createAws(config, { ...models, logger, workerPollMs: 200 });
    closers.push(() => services.close()); // closes the injected embedder too

    // One container per function would build the same services: here they share one, like warm containers.
    const fn = httpFunction(async () => services);
    const handlers = Object.fromEntries(HTTP_FUNCTIONS.map((name) => [name, fn]));
    const processManual = ingestFunction(async () => ingestRuntimeOf(services));
    // ProcessManual: asynchronous invocations, one at a time (one container), retried twice on failure.
    let chain: Promise<void> = Promise.resolve();
    const retryDelays = opts.retryDelaysMs ?? [1000, 2000];
    const invoke = (event: unknown, why: string) =>
      (chain = chain.then(async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            await processManual(event, lambdaContext('process-manual', 900_000) as Context);
            return;
          } catch (e) {
            if (attempt >= retryDelays.length) return services.logger.error({ err: e, why }, 'ProcessManual failed after its retries');
            services.logger.warn({ err: e, why, attempt }, 'ProcessManual failed: Lambda retries the event');
            await new Promise((r) => setTimeout(r, retryDelays[attempt]));
          }
        }
      }));
    s3.onEvent((event: S3ObjectEvent) => {
      if (event.Records.some((r) => r.s3.bucket.name === s3.buckets.manuals && r.eventName.startsWith('ObjectCreated'))) void invoke(event, 's3');
    });
    const scheduleMs = opts.scheduleMs ?? 60_000;
    const timer = scheduleMs > 0 ? setInterval(() => void invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, 'schedule'), scheduleMs) : null;
    closers.push(async () => {
      if (timer) clearInterval(timer);
      await chain;
    });
    // EnableAdvancedErrorHandling: the ErrorProcessor's SQS event source on the dead-letter queue.
    if (config.parameters.EnableAdvancedErrorHandling && services.deadLetterProcessing) {
      const sqs = new SQSClient(clientConfig(settings, 'sqs'));
      const errorProcessor = errorProcessorFunction(async () => services);
      const poller = await startSqsPoller({ client: sqs, queueUrl, region: settings.region, handler: errorProcessor, logger: services.logger, batchSize: 10, waitSeconds: opts.dlqWaitSeconds ?? 20 });
      closers.push(async () => {
        await poller.stop();
        sqs.destroy();
      });
    }

    const web = new OpenAPIHono<AppEnv>();
    mountWebApp(web, opts.webDir ?? join(repoRoot, 'web', 'dist'));
    const webListener = getRequestListener(web.fetch);
    const server: Server = createServer(
      apiGatewayProxy({ handlers, unmatched: (req, res) => webListener(req, res), onError: (e, f) => services.logger.error({ err: e, function: f }, 'function error') }),
    );
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 3000, opts.host ?? '127.0.0.1', () => resolveListen());
    });
    closers.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, services, endpoints: settings.endpoints, ingestionIdle: () => chain, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

async function main() {
  const local = await startAwsLocal({ port: process.env.PORT ? Number(process.env.PORT) : 3000, host: process.env.HOST || '127.0.0.1' });
  local.services.logger.info({ url: local.url, emulators: local.endpoints }, 'aws:local listening (API Gateway -> Lambda handlers -> emulators)');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void local.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`aws:local: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
