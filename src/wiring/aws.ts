/**
 * The aws shape: the same AppServices as src/wiring/embedded.ts, from DynamoDB, S3, SQS, SNS, Cognito and
 * Bedrock/Transcribe. The only place its adapters are chosen. Imports no SQLite, no pocketsphinx, nothing
 * that needs a data directory: every Lambda bundle (scripts/build-lambda.mjs) starts here, and
 * src/entry/lambda/bundles.test.ts fails if one of them reaches such a module. `npm run aws:local` injects
 * the local answer writer, recogniser and embedder through AwsOptions, so the bundles never contain them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pino } from 'pino';
import { awsSettingsFromEnv, clientConfig, type AwsSettings } from '../adapters/aws/aws-client-config.js';
import { tableNamesFromEnv, TABLES, type TableKey } from '../adapters/aws/dynamodb-tables.js';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { TranscribeClient } from '@aws-sdk/client-transcribe';
import { AwsTranscriber } from '../adapters/aws/aws-transcriber.js';
import { BedrockAnswerWriter } from '../adapters/aws/bedrock-answer-writer.js';
import { TitanEmbedder } from '../adapters/aws/bedrock-titan-embedder.js';
import { CognitoIdentityProvider } from '../adapters/aws/cognito-identity-provider.js';
import { DynamoDbApiKeyRepo } from '../adapters/aws/dynamodb-api-key-repo.js';
import type { DeadLetterBatchDeps } from '../adapters/aws/error-processor.js';
import { DynamoDbDeadLetterQueue } from '../adapters/aws/dynamodb-dead-letter-queue.js';
import { DynamoDbErrorTracker } from '../adapters/aws/dynamodb-error-tracker.js';
import { DynamoDbManualSetVersions } from '../adapters/aws/dynamodb-manual-set-versions.js';
import { DynamoDbUsageCounters } from '../adapters/aws/dynamodb-usage-counters.js';
import { DynamoDbUsageRepo } from '../adapters/aws/dynamodb-usage-repo.js';
import { EmfMetrics } from '../adapters/aws/emf-metrics.js';
import { PowertoolsLogger } from '../adapters/aws/powertools-logger.js';
import { S3KnowledgeBase } from '../adapters/aws/s3-knowledge-base.js';
import { S3AudioArchive } from '../adapters/aws/s3-audio-archive.js';
import { SnsNotifier } from '../adapters/aws/sns-notifier.js';
import { SqsDeadLetterSender, sqsForwardingDeadLetters } from '../adapters/aws/sqs-dead-letter-sender.js';
import { XRayTracer } from '../adapters/aws/xray-tracer.js';
import { meteredJobQueue } from '../adapters/metrics/metered-job-queue.js';
import { meteredUsageRepo } from '../adapters/metrics/metered-usage-repo.js';
import { BreakerRegistry } from '../adapters/resilience/breaker-registry.js';
import { FallbackAnswerWriter, GuardedAnswerWriter } from '../adapters/resilience/fallback-answer-writer.js';
import { GuardedTranscriber } from '../adapters/resilience/fallback-transcriber.js';
import { modelEndpointPolicy, SERVICES } from '../adapters/resilience/resilience-setup.js';
import * as tracing from '../adapters/tracing/traced-ports.js';
import { VersionedManualRepo } from '../core/manuals/versioned-manual-repo.js';
import type { Tracer } from '../core/ports/tracer.js';
import { DynamoDbJobQueue } from '../adapters/aws/dynamodb-job-queue.js';
import { DynamoDbManualRepo } from '../adapters/aws/dynamodb-manual-repo.js';
import { DynamoDbNonceStore } from '../adapters/aws/dynamodb-nonce-store.js';
import { DynamoDbRateLimitStore } from '../adapters/aws/dynamodb-rate-limit-store.js';
import { DynamoDbUserRepo } from '../adapters/aws/dynamodb-user-repo.js';
import { S3BlobStore } from '../adapters/aws/s3-blob-store.js';
import { S3Presigner } from '../adapters/aws/s3-presigner.js';
import { FfmpegAudioDecoder } from '../adapters/embedded/ffmpeg-audio-decoder.js';
import { MemoryCache } from '../adapters/embedded/memory-cache.js';
import { MemoryRateLimitStore } from '../adapters/embedded/memory-rate-limit-store.js';
import { WorkerPdfInspector } from '../adapters/embedded/worker-pdf-inspector.js';
import { WorkerPdfReader } from '../adapters/embedded/worker-pdf-reader.js';
import { databaseProbe, redisProbe, unavailableProbe } from '../adapters/health/dependency-probes.js';
import { createRedisConnection, redisReady } from '../adapters/redis/redis-connection.js';
import { DynamoDbAlarmStates } from '../adapters/aws/dynamodb-alarm-states.js';
import { DynamoDbIngestBacklog } from '../adapters/aws/dynamodb-ingest-backlog.js';
import { DynamoDbMinuteStats } from '../adapters/aws/dynamodb-minute-stats.js';
import type { BreakerTuning } from '../adapters/resilience/resilience-setup.js';
import type { MonitorOptions } from '../core/monitoring/monitor.js';
import type { Cache } from '../core/ports/cache.js';
import { authThrottle, createMonitor, redisAnswerCache, redisGuard, signingServices } from './shared.js';
import { FailModeRateLimitStore } from '../adapters/redis/fail-mode-rate-limit-store.js';
import { fullJitterBackoff } from '../adapters/resilience/full-jitter-backoff.js';
import { parametersFromEnv, parseParameters, ConfigError, type Parameters } from '../config/parameters.js';
import { ExtractiveAnswerWriter } from '../core/ask/extractive-answer-writer.js';
import { SingleFlight } from '../core/ask/single-flight.js';
import { ingestJobHandler, IngestWorker } from '../core/ingest/ingest-worker.js';
import { AnswerAdmission } from '../core/perf/answer-admission.js';
import type { AnswerWriter } from '../core/ports/answer-writer.js';
import type { AudioDecoder } from '../core/ports/audio-decoder.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import type { Embedder } from '../core/ports/embedder.js';
import type { HealthProbe } from '../core/ports/health-probe.js';
import type { Logger } from '../core/ports/logger.js';
import type { PdfReader } from '../core/ports/pdf-reader.js';
import type { RateLimitStore } from '../core/ports/rate-limit-store.js';
import type { Transcriber } from '../core/ports/transcriber.js';
import { transcribeAudio } from '../core/voice/ask-by-voice.js';
import { RecognitionHints } from '../core/voice/recognition-hints.js';
import type { AppServices, OpsServices } from '../http/services.js';

/** Everything the aws shape reads at start-up (Lambda: the function's environment), validated once. */
export interface AwsConfig {
  parameters: Parameters;
  aws: AwsSettings;
  /** Physical table names; the flag-gated ones (rateLimits, errorTracking) only when their stack has them. */
  tables: Partial<Record<TableKey, string>> & Record<'users' | 'fileTracking' | 'ingestionJobs' | 'usage', string>;
  buckets: { manuals: string; audio: string | null };
  /** SQS dead-letter queue URL and SNS alerts topic (EnableAdvancedErrorHandling). */
  deadLetterQueueUrl: string | null;
  alertsTopicArn: string | null;
  cognito: { userPoolId: string; clientId: string; jwksUri: string | null };
  /** Lambda's writable /tmp: rendered page cache only, nothing that must outlive the container. */
  dataDir: string;
  bootstrapDir: string;
  logLevel: string;
  version: string;
}

const required = (env: NodeJS.ProcessEnv, name: string, what: string): string => {
  const v = env[name];
  if (!v) throw new ConfigError(`missing environment variable ${name} (${what})`);
  return v;
};

/** The environment the SAM templates give every function (infra/template*.yaml); fails with the missing name. */
export function loadAwsConfig(env: NodeJS.ProcessEnv = process.env): AwsConfig {
  const parameters = parseParameters(parametersFromEnv(env));
  const core = tableNamesFromEnv(env, ['users', 'fileTracking', 'ingestionJobs', 'usage']);
  const tables: AwsConfig['tables'] = { ...core };
  for (const k of ['rateLimits', 'errorTracking'] as const) if (env[TABLES[k].envVar]) tables[k] = env[TABLES[k].envVar];
  const dataDir = env.MANUEL_DATA_DIR || '/tmp/manuel';
  return {
    parameters,
    aws: awsSettingsFromEnv(env),
    tables,
    buckets: { manuals: required(env, 'MANUALS_BUCKET', 'the ManualsBucket name'), audio: env.AUDIO_BUCKET || null },
    deadLetterQueueUrl: env.DEAD_LETTER_QUEUE_URL || null,
    alertsTopicArn: env.ALERTS_TOPIC_ARN || null,
    cognito: {
      userPoolId: required(env, 'COGNITO_USER_POOL_ID', 'the Cognito user pool id'),
      clientId: required(env, 'COGNITO_CLIENT_ID', 'the Cognito app client id'),
      jwksUri: env.COGNITO_JWKS_URI || null,
    },
    dataDir,
    bootstrapDir: env.MANUEL_BOOTSTRAP_DIR || join(dataDir, 'library'),
    logLevel: env.LOG_LEVEL || 'info',
    version: env.MANUEL_VERSION || '0.0.0',
  };
}

export interface AwsOptions {
  /** Replaces Bedrock Converse (aws:local: the embedded extractive writer). */
  answerWriter?: AnswerWriter;
  /** Replaces Titan (aws:local: the bundled local model); null: keyword search only. */
  embedder?: Embedder | null;
  /** Replaces Amazon Transcribe (aws:local: pocketsphinx); null: no voice. */
  transcriber?: Transcriber | null;
  /** Replaces ffmpeg from the PATH (a Lambda layer puts it in /opt/bin). */
  audioDecoder?: AudioDecoder | null;
  logger?: Logger;
  clock?: Clock;
  pdfReader?: PdfReader;
  /** Poll interval of the ingest worker while a ProcessManual invocation runs it (default 500 ms). */
  workerPollMs?: number;
  /** Breaker thresholds and pauses (EnableAdvancedErrorHandling); tests shorten the Redis breaker's pause. */
  breakers?: BreakerTuning;
  /** Monitoring: alarm windows and minimum requests, the name of this container's rows, a clock tests move. */
  monitoring?: MonitorOptions & { clock?: Clock };
  /** How long a cold start waits for Redis before answering without it (default 1000 ms). */
  redisReadyMs?: number;
}

export interface AwsApp extends AppServices {
  config: AwsConfig;
  /** The ingestion worker ProcessManual runs for the length of an invocation (never started by API functions). */
  ingestWorker: IngestWorker;
  /** Longest backoff before a failed ingest attempt is retried. */
  retryWindowMs: number;
  /** What the ErrorProcessor needs (EnableAdvancedErrorHandling with its table); null otherwise. */
  deadLetterProcessing: DeadLetterBatchDeps | null;
  /**
   * End of an invocation: this container's per-minute figures (DynamoDB, atomic adds), metrics (EMF lines)
   * and alerts (SNS) go out before Lambda freezes the container.
   */
  afterInvocation(): Promise<void>;
  /**
   * The minute work of monitoring (gauges, pruning, alarm evaluation and their notifications), run by the
   * scheduled ProcessManual invocations (there is no timer in a frozen container). No-op with monitoring off.
   */
  scheduledMonitoring(): Promise<void>;
  /** The Redis connection of the answer cache (EnableRedisCache with a RedisUrl); null otherwise. */
  redis: Redis | null;
  close(): Promise<void>;
}

const onPath = (bin: string): string | null => {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, bin))) return join(d, bin);
  return null;
};

const powertoolsLevel = (level: string) => (({ debug: 'DEBUG', trace: 'DEBUG', warn: 'WARN', error: 'ERROR', fatal: 'ERROR' }) as const)[level as 'debug'] ?? 'INFO';

/** Builds the aws shape's services. Clients are made here once per container; the SDK connects lazily. */
export async function createAws(config: AwsConfig, opts: AwsOptions = {}): Promise<AwsApp> {
  const p = config.parameters;
  const t = config.tables;
  const clock = opts.clock ?? systemClock;
  // EnableXRayTracing: subsegments of the invocation's trace (Powertools; POWERTOOLS_TRACE_ENABLED=false off Lambda).
  const tracer = p.EnableXRayTracing ? new XRayTracer() : null;
  const traced = <T>(decorate: (tr: Tracer, adapter: T) => T, adapter: T): T => (tracer ? decorate(tracer, adapter) : adapter);
  const client = <T>(c: T): T => (tracer ? tracer.captureClient(c) : c);
  const baseLogger: Logger = opts.logger ?? new PowertoolsLogger({ logLevel: powertoolsLevel(config.logLevel) });
  // Powertools' logger adds the X-Ray trace id to every line itself.
  const logger = baseLogger;
  // CloudWatch metrics as EMF lines on stdout, flushed after each invocation (no API call, no agent).
  const metrics = new EmfMetrics({ logger });

  const dynamo = client(new DynamoDBClient(clientConfig(config.aws, 'dynamodb')));
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const s3 = client(new S3Client(clientConfig(config.aws, 's3')));

  const users = new DynamoDbUserRepo(doc, t.users);
  const dynamoManuals = new DynamoDbManualRepo(doc, t.fileTracking);
  const dynamoUsage = new DynamoDbUsageRepo(doc, t.usage, { retentionDays: p.UsageDataRetentionDays, clock });
  const counters = traced(tracing.tracedCounters, new DynamoDbUsageCounters(doc, t.usage));
  const ops: OpsServices = {};

  // Monitoring (EnableAdvancedErrorHandling or EnableXRayTracing, as embedded; docs/decisions/0014, 0029):
  // each container adds its per-minute figures into one item per minute of the errorTracking table (atomic
  // ADDs, written at the end of every invocation), and the scheduled ProcessManual invocations evaluate
  // the alarms over every container's figures (a conditional write per transition: one notification).
  const monitor =
    (p.EnableAdvancedErrorHandling || p.EnableXRayTracing) && t.errorTracking
      ? createMonitor(
          {
            stats: new DynamoDbMinuteStats(doc, t.errorTracking, { clock, retentionDays: p.LogRetentionDays }),
            alarmStates: new DynamoDbAlarmStates(doc, t.errorTracking),
            counters,
            backlog: new DynamoDbIngestBacklog(doc, t.ingestionJobs, Boolean(opts.embedder !== undefined ? opts.embedder : p.EmbeddingModelId)),
            parameters: p,
            ops: () => ops,
            clock: opts.monitoring?.clock ?? clock,
            logger: logger.child({ component: 'monitor' }),
          },
          metrics,
          opts.monitoring,
        )
      : null;
  if (monitor) ops.monitor = monitor;
  // Usage events and ingest jobs reach the metrics (and the per-minute figures) where they are recorded.
  const usage = meteredUsageRepo(dynamoUsage, metrics, monitor?.minutes);
  const jobs = meteredJobQueue(new DynamoDbJobQueue(doc, t.ingestionJobs, clock), metrics, monitor?.minutes);
  const manuals = new VersionedManualRepo(
    dynamoManuals,
    traced(tracing.tracedManualVersions, new DynamoDbManualSetVersions(doc, t.usage)),
    (id) => dynamoManuals.ownerOf(id),
    logger.child({ component: 'answer-cache' }),
  );
  const blobs = traced(tracing.tracedBlobStore, new S3BlobStore({ client: s3, bucket: config.buckets.manuals }));
  // Hybrid retrieval over per-manual index shards in the manuals bucket (docs/decisions: the kb helper's ADR).
  const kb = traced(tracing.tracedKnowledgeBase, new S3KnowledgeBase(s3, config.buckets.manuals));

  // Rate limits and sign-in throttling: the rateLimits table where the stack has it (shared by every
  // container), else per container.
  const rateLimitStore: RateLimitStore = new FailModeRateLimitStore(t.rateLimits ? new DynamoDbRateLimitStore(doc, t.rateLimits) : new MemoryRateLimitStore(), {
    mode: p.RateLimitFailMode,
    logger: logger.child({ component: 'rate-limit' }),
    metrics,
  });

  // EnableAdvancedErrorHandling: breakers and retries around Bedrock and Transcribe (docs/decisions/0011).
  const breakers = p.EnableAdvancedErrorHandling ? new BreakerRegistry({ logger, metrics }) : null;

  // EnableRedisCache (docs/decisions/0029): answers shared by every container through Valkey Serverless
  // (`rediss://`, TLS), fail-open (a Redis that is down makes cache_status `bypass`), behind the Redis
  // breaker with EnableAdvancedErrorHandling. Manual-set versions, usage counters, rate limits and nonces
  // stay in DynamoDB: atomic there, the source of truth, and reachable by the functions outside the VPC.
  const redis = p.EnableRedisCache && p.RedisUrl ? createRedisConnection({ url: p.RedisUrl, logger, keyPrefix: p.RedisKeyPrefix }) : null;
  if (p.EnableRedisCache && !redis) logger.warn('EnableRedisCache is on but RedisUrl is empty: the answer cache stays per container');
  const redisPolicyGuard = redis ? redisGuard(breakers, opts.breakers) : null;
  // A cold start waits briefly for the connection, so its first questions use the shared cache.
  if (redis && !(await redisReady(redis, opts.redisReadyMs ?? 1000))) logger.warn('Redis not ready at start: answering without the shared cache until it is');
  const cache: Cache = redis ? redisAnswerCache(redis, logger, redisPolicyGuard) : new MemoryCache({ maxEntries: p.CacheMemorySize, clock });
  const bedrock = p.TextModelId || p.EmbeddingModelId ? client(new BedrockRuntimeClient(clientConfig(config.aws, 'bedrock'))) : null;
  const embedder = opts.embedder !== undefined ? opts.embedder : bedrock && p.EmbeddingModelId ? new TitanEmbedder({ client: bedrock, modelId: p.EmbeddingModelId }) : null;
  const extractive = new ExtractiveAnswerWriter();
  let answerWriter: AnswerWriter = opts.answerWriter ?? extractive;
  if (!opts.answerWriter && bedrock && p.TextModelId) {
    const model = new BedrockAnswerWriter({ client: bedrock, modelId: p.TextModelId, timeoutMs: breakers ? p.ReadTimeout : undefined });
    const guarded = breakers ? new GuardedAnswerWriter(model, breakers.policy(modelEndpointPolicy(SERVICES.answer, p))) : model;
    // A failed model call costs nothing more than the extractive answer it is replaced by (ADR 0011).
    answerWriter = new FallbackAnswerWriter(guarded, extractive, { logger, metrics, service: SERVICES.answer });
  }

  // Errors, dead letters and alerts (EnableAdvancedErrorHandling; the table and queue exist only then).
  let workerOps: OpsServices = ops;
  let deadLetterProcessing: DeadLetterBatchDeps | null = null;
  const sns = config.alertsTopicArn ? client(new SNSClient(clientConfig(config.aws, 'sns'))) : null;
  const sqs = config.deadLetterQueueUrl ? client(new SQSClient(clientConfig(config.aws, 'sqs'))) : null;
  if (p.EnableAdvancedErrorHandling && t.errorTracking) {
    ops.errors = new DynamoDbErrorTracker(doc, t.errorTracking, { clock, logger, retentionDays: p.ErrorRetentionDays });
    const table = new DynamoDbDeadLetterQueue(doc, t.errorTracking);
    if (sns && config.alertsTopicArn) ops.notifier = new SnsNotifier({ client: sns, topicArn: config.alertsTopicArn, environment: p.Environment, logger: logger.child({ component: 'alerts' }), clock });
    deadLetterProcessing = { deadLetters: table, errors: ops.errors, ...(ops.notifier ? { notifier: ops.notifier } : {}), logger: logger.child({ component: 'error-processor' }) };
    if (sqs && config.deadLetterQueueUrl) {
      ops.deadLetters = sqsForwardingDeadLetters(new SqsDeadLetterSender({ client: sqs, queueUrl: config.deadLetterQueueUrl }), table);
      // The ErrorProcessor records and announces what reaches the queue: the worker only sends it there.
      workerOps = { deadLetters: ops.deadLetters };
    } else {
      ops.deadLetters = table;
    }
  }
  if (breakers) ops.breakers = breakers;
  ops.costs = dynamoUsage;

  const retry = p.EnableAdvancedErrorHandling ? { maxAttempts: p.MaxRetryAttempts, retryDelay: fullJitterBackoff(p.BaseRetryDelay, p.MaxRetryDelay) } : {};
  // The worker's longest wait before a retry: full jitter up to MaxRetryDelay, or 2 s x attempts.
  const retryWindowMs = p.EnableAdvancedErrorHandling ? p.MaxRetryDelay : 2000 * 2;
  const pdfReader = opts.pdfReader ?? new WorkerPdfReader();
  const ingestWorker = new IngestWorker(
    {
      queue: jobs,
      handler: ingestJobHandler({ manuals, blobs, pdfReader, inspector: new WorkerPdfInspector(), kb, embedder, logger, ...(tracer ? { tracer } : {}) }),
      logger: logger.child({ component: 'ingest' }),
      ops: workerOps,
      clock,
    },
    { ...retry, pollMs: opts.workerPollMs ?? 500 },
  );

  // Voice: Amazon Transcribe (or the injected recogniser) and a decoder (ffmpeg, from a layer on Lambda).
  const decoder = opts.audioDecoder !== undefined ? opts.audioDecoder : onPath('ffmpeg') ? new FfmpegAudioDecoder() : null;
  let transcriber: Transcriber | null = opts.transcriber !== undefined ? opts.transcriber : null;
  if (opts.transcriber === undefined) {
    const transcribe = client(new TranscribeClient(clientConfig(config.aws, 'transcribe')));
    const aws = new AwsTranscriber({ transcribe, s3, bucket: config.buckets.audio ?? config.buckets.manuals });
    transcriber = breakers ? new GuardedTranscriber(aws, breakers.policy(modelEndpointPolicy(SERVICES.transcription, p))) : aws;
  }
  const archive = config.buckets.audio && p.AudioFileRetentionDays > 0 ? new S3AudioArchive({ client: s3, bucket: config.buckets.audio }) : undefined;
  const voiceDeps =
    decoder && transcriber
      ? { decoder, transcriber: traced(tracing.tracedTranscriber, transcriber), kb, parameters: p, hints: new RecognitionHints({ kb }), ...(archive ? { archive } : {}) }
      : null;
  if (!voiceDeps) logger.warn({ decoder: !!decoder, transcriber: !!transcriber }, 'speech recognition unavailable (needs ffmpeg and a transcriber); voice routes answer 503');

  const pingDb = async () => {
    await doc.send(new GetCommand({ TableName: t.users, Key: { pk: 'health', sk: 'health' } }));
    return true;
  };
  const healthProbes: HealthProbe[] = [
    databaseProbe(() => pingDb().catch(() => false)),
    ...(redis ? [redisProbe(redis, redisPolicyGuard ? SERVICES.redis : undefined)] : []),
    ...(voiceDeps ? [] : [unavailableProbe('transcriber', 'speech recognition needs ffmpeg and a recogniser: voice routes answer 503')]),
  ];

  const afterInvocation = async () => {
    await monitor?.flushNow();
    metrics.flush();
    await ops.notifier?.flush?.();
  };
  const scheduledMonitoring = async () => {
    await monitor?.tick();
  };

  return {
    config,
    parameters: p,
    dataDir: config.dataDir,
    bootstrapDir: config.bootstrapDir,
    logger,
    metrics,
    clock,
    users,
    manuals,
    jobs,
    usage,
    counters,
    manualVersions: manuals.readVersions,
    kb,
    embedder: embedder ? traced(tracing.tracedEmbedder, embedder) : null,
    answerWriter: traced(tracing.tracedAnswerWriter, answerWriter),
    blobs,
    presigner: new S3Presigner({ client: s3, bucket: config.buckets.manuals }), // direct uploads and downloads (ADR 0030)
    // EnableRedisCache: one cache for every container; else per container (a warm Lambda remembers its own answers).
    cache: traced(tracing.tracedCache, cache),
    redis,
    // Ingestion runs in ProcessManual, started by S3 events: there is no worker to stop in an API function.
    worker: { isRunning: () => true },
    ingestWorker,
    retryWindowMs,
    auth: {
      identity: new CognitoIdentityProvider({
        client: client(new CognitoIdentityProviderClient(clientConfig(config.aws, 'cognito'))),
        userPoolId: config.cognito.userPoolId,
        clientId: config.cognito.clientId,
        users,
        ...(config.cognito.jwksUri ? { jwksUri: config.cognito.jwksUri } : {}),
      }),
      // Brute-force protection is always on (no flag).
      throttle: authThrottle(rateLimitStore, p, metrics),
    },
    rateLimitStore,
    // API-key secrets are sealed with JwtSecret (a NoEcho stack parameter): there is no data dir to keep a generated one.
    signing: signingServices({
      apiKeys: new DynamoDbApiKeyRepo(doc, t.users),
      secret: p.JwtSecret || null,
      missingSecret: 'API keys need the JwtSecret parameter (at least 32 characters) in the aws shape',
      nonces: t.rateLimits ? new DynamoDbNonceStore(doc, t.rateLimits) : null,
    }),
    ...(voiceDeps ? { transcribeAudio: (input) => transcribeAudio(voiceDeps, input) } : {}),
    answerFlights: new SingleFlight(),
    ...(p.EnablePerformanceOptimization ? { admission: new AnswerAdmission({ thresholdMs: p.LatencyThreshold, metrics }) } : {}),
    pingDb,
    healthProbes,
    version: config.version,
    ops,
    ...(tracer ? { tracer } : {}),
    deadLetterProcessing,
    afterInvocation,
    scheduledMonitoring,
    close: async () => {
      await ingestWorker.stop(0);
      await afterInvocation();
      redis?.disconnect();
      await (embedder as Embedder | null)?.close?.();
      dynamo.destroy();
      s3.destroy();
      sns?.destroy();
      sqs?.destroy();
      bedrock?.destroy();
    },
  };
}
