import cluster from 'node:cluster';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Redis } from 'ioredis';
import { destination, pino } from 'pino';
import { FfmpegAudioDecoder } from '../adapters/embedded/ffmpeg-audio-decoder.js';
import { FsAudioArchive } from '../adapters/embedded/fs-audio-archive.js';
import { FsBlobStore } from '../adapters/embedded/fs-blob-store.js';
import { scheduleStagedUploadSweep } from '../adapters/embedded/staged-upload-sweep.js';
import { JoseTokenService, loadJwtSecret } from '../adapters/embedded/jose-token-service.js';
import { IpcEmbedder, type IpcChannel } from '../adapters/embedded/ipc-embedder.js';
import { LOCAL_EMBEDDING_MODEL, LocalEmbedder } from '../adapters/embedded/local-embedder.js';
import { MemoryCache } from '../adapters/embedded/memory-cache.js';
import { DEFAULT_MODEL_DIR, PocketsphinxTranscriber } from '../adapters/embedded/pocketsphinx-transcriber.js';
import { SqliteRecognitionCorpus } from '../adapters/embedded/sqlite-recognition-corpus.js';
import { ScryptPasswordHasher } from '../adapters/embedded/scrypt-password-hasher.js';
import { LocalIdentityProvider } from '../adapters/embedded/local-identity-provider.js';
import { openDatabase, type SqliteDb } from '../adapters/embedded/sqlite-db.js';
import { SqliteJobQueue } from '../adapters/embedded/sqlite-job-queue.js';
import { SqliteKnowledgeBase } from '../adapters/embedded/sqlite-knowledge-base.js';
import { SqliteManualRepo } from '../adapters/embedded/sqlite-manual-repo.js';
import { SqliteRefreshTokenRepo } from '../adapters/embedded/sqlite-refresh-token-repo.js';
import { SqliteErrorTracker } from '../adapters/embedded/sqlite-error-tracker.js';
import { SqliteUsageRepo } from '../adapters/embedded/sqlite-usage-repo.js';
import { SqliteUserRepo } from '../adapters/embedded/sqlite-user-repo.js';
import { SqliteDeadLetterQueue } from '../adapters/embedded/sqlite-dead-letter-queue.js';
import { WorkerPdfInspector } from '../adapters/embedded/worker-pdf-inspector.js';
import { WorkerPdfReader } from '../adapters/embedded/worker-pdf-reader.js';
import { fullJitterBackoff } from '../adapters/resilience/full-jitter-backoff.js';
import { PromMetrics } from '../adapters/metrics/prom-metrics.js';
import { scrapeThroughPrimary } from '../adapters/metrics/cluster-metrics.js';
import { meteredJobQueue } from '../adapters/metrics/metered-job-queue.js';
import { meteredUsageRepo } from '../adapters/metrics/metered-usage-repo.js';
import { SqliteAlarmStates } from '../adapters/embedded/sqlite-alarm-states.js';
import { SqliteIngestBacklog } from '../adapters/embedded/sqlite-ingest-backlog.js';
import { SqliteMinuteStats } from '../adapters/embedded/sqlite-minute-stats.js';
import { registerServiceGauges } from '../core/monitoring/service-gauges.js';
import * as tracing from '../adapters/tracing/traced-ports.js';
import type { Tracer } from '../core/ports/tracer.js';
import { SqliteApiKeyRepo } from '../adapters/embedded/sqlite-api-key-repo.js';
import { RedisNonceStore } from '../adapters/redis/redis-nonce-store.js';
import { createRedisConnection, redisReady } from '../adapters/redis/redis-connection.js';
import { FailModeRateLimitStore } from '../adapters/redis/fail-mode-rate-limit-store.js';
import { RedisRateLimitStore } from '../adapters/redis/redis-rate-limit-store.js';
import { MemoryRateLimitStore } from '../adapters/embedded/memory-rate-limit-store.js';
import { SqliteRateLimitStore } from '../adapters/embedded/sqlite-rate-limit-store.js';
import { FallbackUsageCounters } from '../adapters/redis/fallback-usage-counters.js';
import { RedisManualSetVersions } from '../adapters/redis/redis-manual-set-versions.js';
import { RedisAnswerLookup } from '../adapters/redis/redis-answer-lookup.js';
import { RedisUsageCounters } from '../adapters/redis/redis-usage-counters.js';
import { SqliteManualSetVersions } from '../adapters/embedded/sqlite-manual-set-versions.js';
import { SqliteUsageCounters } from '../adapters/embedded/sqlite-usage-counters.js';
import { VersionedManualRepo } from '../core/manuals/versioned-manual-repo.js';
import { AnswerAdmission } from '../core/perf/answer-admission.js';
import { SingleFlight } from '../core/ask/single-flight.js';
import { warmAnswerPath, type WarmUpResult } from '../core/ask/warm-up.js';
import { scheduleUsagePruning } from '../core/usage/usage-retention.js';
import type { Cache } from '../core/ports/cache.js';
import type { UsageCounters } from '../core/ports/usage-counters.js';
import { OpenAiAnswerWriter } from '../adapters/openai/openai-answer-writer.js';
import { createOutboundHttp } from '../adapters/http/outbound-http.js';
import { WebhookNotifier } from '../adapters/http/webhook-notifier.js';
import { scheduleErrorPruning } from '../core/ops/track-error.js';
import type { Clock } from '../core/ports/clock.js';
import { OpenAiTranscriber } from '../adapters/openai/openai-transcriber.js';
import type { EmbeddedConfig } from '../config/config.js';
import { BreakerRegistry } from '../adapters/resilience/breaker-registry.js';
import { FallbackAnswerWriter, GuardedAnswerWriter } from '../adapters/resilience/fallback-answer-writer.js';
import { FallbackTranscriber, GuardedTranscriber } from '../adapters/resilience/fallback-transcriber.js';
import { guardAnswerLookup, guardManualSetVersions, guardRateLimitStore, guardUsageCounters } from '../adapters/resilience/guarded-redis-ports.js';
import { modelEndpointPolicy, SERVICES, urlImportPolicy, type BreakerTuning } from '../adapters/resilience/resilience-setup.js';
import {
  databaseProbe,
  embedderProbe,
  endpointProbe,
  ingestProbe,
  pocketsphinxProbe,
  redisProbe,
  unavailableProbe,
} from '../adapters/health/dependency-probes.js';
import type { HealthProbe } from '../core/ports/health-probe.js';
import { ExtractiveAnswerWriter } from '../core/ask/extractive-answer-writer.js';
import { ingestJobHandler, IngestWorker, type IngestWorkerOptions } from '../core/ingest/ingest-worker.js';
import type { AnswerWriter } from '../core/ports/answer-writer.js';
import { systemClock } from '../core/ports/clock.js';
import type { Embedder } from '../core/ports/embedder.js';
import type { Logger } from '../core/ports/logger.js';
import type { PdfReader } from '../core/ports/pdf-reader.js';
import type { Transcriber } from '../core/ports/transcriber.js';
import { transcribeAudio } from '../core/voice/ask-by-voice.js';
import { RecognitionHints } from '../core/voice/recognition-hints.js';
import type { AppServices, OpsServices } from '../http/services.js';
import type { MonitorOptions } from '../core/monitoring/monitor.js';
import { authThrottle, createMonitor, redisAnswerCache, redisGuard as sharedRedisGuard, signingServices } from './shared.js';

export interface EmbeddedOptions {
  /** undefined: the bundled model with EmbeddingWorkers threads (none when 0); null: keyword search only. */
  embedder?: Embedder | null;
  logger?: Logger;
  /** Lease and polling of the ingest worker; `start: false` leaves it stopped (CLI, tests). */
  worker?: IngestWorkerOptions & { start?: boolean };
  /** undefined: from the parameters (OpenAI-compatible endpoint, else pocketsphinx if installed); null: no voice. */
  transcriber?: Transcriber | null;
  /** Time of the wired services (tests move it: alert deduplication windows, retention); default the system clock. */
  clock?: Clock;
  /** undefined: pdf.js in a worker per PDF with its default caps (tests pass a tighter one). */
  pdfReader?: PdfReader;
  /** Stall timeout of the wiring's worker-thread reader ; default its own, 30 s. Tests shorten it. */
  pdfStallTimeoutMs?: number;
  /** Breaker thresholds and pauses (EnableAdvancedErrorHandling); defaults in adapters/resilience/resilience-setup.ts. Tests shorten them. */
  breakers?: BreakerTuning;
  /** Monitoring (when a monitoring flag is on): a clock tests move, `start: false` to call tick() by hand. */
  monitoring?: MonitorOptions & { clock?: Clock; start?: boolean };
}

export interface EmbeddedApp extends AppServices {
  config: EmbeddedConfig;
  db: SqliteDb;
  pdfReader: PdfReader;
  worker: IngestWorker;
  metrics: PromMetrics;
  /** The shared Redis connection (EnableRedisCache, or RedisUrl set); null when Redis is not used. */
  redis: Redis | null;
  /**
   * EnablePerformanceOptimization: runs the answer path on questions made of the index's own passages
   * before the server listens, so the first real questions do not pay for the JIT and cold caches
   * (docs/decisions/0040). Absent with the flag off.
   */
  warmUp?(): Promise<WarmUpResult>;
  /** Stops the worker (draining its job), closes the embedder and the database. Idempotent. */
  close(drainMs?: number): Promise<void>;
}

/** The warm-up's bounds: questions asked, and the time a start may spend on them. */
const WARM_UP_QUESTIONS = 48;
const WARM_UP_BUDGET_MS = 1500;

const which = (bin: string): string | null => {
  for (const d of (process.env.PATH ?? '').split(delimiter)) if (d && existsSync(join(d, bin))) return join(d, bin);
  return null;
};
const onPath = (bin: string) => which(bin) !== null;

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** Worker ids are `<host>:<pid>:<random>`: on this host, a pid that no longer runs is a dead worker. */
function isDeadLocalWorker(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid)) return false;
  if (pid === process.pid) return true; // we are just starting: no lease can be ours yet (pid reuse in containers)
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * EnableAdvancedErrorHandling: error tracking in SQLite (kept ErrorRetentionDays) and, when
 * AlertWebhookUrl is set, alerts to it (docs/decisions/0013). Off: nothing is built, nothing runs.
 */
function opsServices(config: EmbeddedConfig, db: SqliteDb, clock: Clock, logger: Logger): { ops: OpsServices; stopOps(): void } {
  const p = config.parameters;
  if (!p.EnableAdvancedErrorHandling) return { ops: {}, stopOps: () => {} };
  const errors = new SqliteErrorTracker(db, { clock, logger });
  const stop = scheduleErrorPruning({ errors, clock, logger }, p.ErrorRetentionDays);
  const notifier = p.AlertWebhookUrl
    ? new WebhookNotifier({
        url: p.AlertWebhookUrl,
        environment: p.Environment,
        logger: logger.child({ component: 'alerts' }),
        clock,
        attempts: p.MaxRetryAttempts,
        baseDelayMs: p.BaseRetryDelay,
        maxDelayMs: p.MaxRetryDelay,
        timeoutMs: p.ConnectionTimeout,
      })
    : undefined;
  // Jobs given up go to the dead-letter queue; the ingest worker records and alerts them (docs/decisions/0012).
  return { ops: { errors, deadLetters: new SqliteDeadLetterQueue(db), ...(notifier ? { notifier } : {}) }, stopOps: stop };
}

/** The embedded shape: one SQLite file, files under the data dir, local models. The only place adapters are chosen. */
export async function createEmbedded(config: EmbeddedConfig, opts: EmbeddedOptions = {}): Promise<EmbeddedApp> {
  const p = config.parameters;
  // EnableXRayTracing: OpenTelemetry spans, exported over OTLP/HTTP to OtelExporterEndpoint when set (ADR 0015).
  // Off: no tracer, no middleware, no decorator; the core calls noTracer (a direct call).
  // The SDK is loaded only then: the minimal profile does not even import it.
  const tracer = p.EnableXRayTracing
    ? new (await import('../adapters/tracing/otel-tracer.js')).OtelTracer({ endpoint: p.OtelExporterEndpoint, version: packageVersion(), sampleRate: p.TracingSampleRate })
    : null;
  const traced = <T>(decorate: (t: Tracer, adapter: T) => T, adapter: T): T => (tracer ? decorate(tracer, adapter) : adapter);
  // Asynchronous writes to stdout: a line per request must not cost a blocking write() each. Lines
  // written while a write is in flight go out together with the next; pino flushes them at exit.
  const baseLogger: Logger = opts.logger ?? (pino({ level: config.logLevel, base: { service: 'manuel' } }, destination({ dest: 1, sync: false })) as unknown as Logger);
  const logger = tracer ? tracing.withTraceIds(baseLogger, () => tracer.logFields()) : baseLogger;
  const clock = opts.clock ?? systemClock;
  const db = openDatabase(join(config.dataDir, 'manuel.db'));
  const users = new SqliteUserRepo(db);
  const sqliteManuals = new SqliteManualRepo(db);
  const sqliteUsage = new SqliteUsageRepo(db);
  const queue = new SqliteJobQueue(db);
  const sqliteKb = new SqliteKnowledgeBase(db);
  const kb = traced(tracing.tracedKnowledgeBase, sqliteKb);
  const blobs = traced(tracing.tracedBlobStore, new FsBlobStore(join(config.dataDir, 'blobs')));
  // Always (ADR 0012, 0018): pdf.js off the event loop in a worker per PDF with a heap cap, its memory
  // returned after each PDF, and a page that never ends (see WorkerPdfReader) stopped by a stall timeout
  // instead of hanging the process.
  const pdfReader = opts.pdfReader ?? new WorkerPdfReader({ stallTimeoutMs: opts.pdfStallTimeoutMs });
  const inspector = new WorkerPdfInspector(); // always on: upload threat checks are not behind a flag (ADR 0008)
  const metrics = new PromMetrics();
  // EnableAdvancedErrorHandling: retry, deadline and breaker policies wrap the adapters here, so the
  // core never sees them (docs/decisions/0011). Off: none of it is built, calls go straight through.
  const breakers = p.EnableAdvancedErrorHandling ? new BreakerRegistry({ logger, metrics }) : null;
  // Monitoring (docs/decisions/0014): per-minute aggregates, alarms, dashboard data; /metrics itself is always on.
  const monitoring = p.EnableAdvancedErrorHandling || p.EnableXRayTracing;
  // A worker of `manuel serve --workers N`: /metrics answers with every worker's figures (docs/decisions/0014).
  if (cluster.isWorker && process.send) metrics.scrapeThrough(scrapeThroughPrimary(metrics.registry));
  const redisUrl = p.RedisUrl || (p.EnableRedisCache ? 'redis://127.0.0.1:6379' : '');
  const redis = redisUrl ? createRedisConnection({ url: redisUrl, logger, keyPrefix: p.RedisKeyPrefix }) : null;
  // EnableRedisCache: answers, manual-set versions and usage counters shared by every process on that Redis.
  const sharedCache = p.EnableRedisCache && redis !== null;
  // One breaker for every user of the one Redis connection: a dead server is skipped at once by all of them.
  const redisGuard = redis ? sharedRedisGuard(breakers, opts.breakers) : null;
  const onRedis = <T>(port: T, guard: (port: T, policy: NonNullable<typeof redisGuard>) => T): T => (redisGuard ? guard(port, redisGuard) : port);
  const cache: Cache = traced(tracing.tracedCache, sharedCache ? redisAnswerCache(redis, logger, redisGuard) : new MemoryCache({ maxEntries: p.CacheMemorySize }));
  const sqliteCounters = new SqliteUsageCounters(db);
  const counters: UsageCounters = traced(
    tracing.tracedCounters,
    sharedCache ? new FallbackUsageCounters(onRedis(new RedisUsageCounters(redis), guardUsageCounters), sqliteCounters, logger) : sqliteCounters,
  );
  const versioned = new VersionedManualRepo(
    sqliteManuals,
    traced(tracing.tracedManualVersions, sharedCache ? onRedis(new RedisManualSetVersions(redis), guardManualSetVersions) : new SqliteManualSetVersions(db)),
    (id) => sqliteManuals.ownerOf(id),
    logger.child({ component: 'answer-cache' }),
  );
  const manuals = versioned;
  // EnableRedisCache: the versions and the cached answer in one round trip (a script over both stores' keys).
  const answerLookup = sharedCache
    ? versioned.lookupThrough(traced(tracing.tracedAnswerLookup, onRedis(new RedisAnswerLookup(redis, { logger }), guardAnswerLookup)))
    : undefined;
  const stopPruning = scheduleUsagePruning({ usage: sqliteUsage, clock, logger }, p.UsageDataRetentionDays);
  // Direct uploads never completed (ADR 0030): what the bucket's lifecycle rule does on AWS.
  const stopUploadSweep = scheduleStagedUploadSweep({ blobs, clock, blobsRoot: join(config.dataDir, 'blobs'), logger });
  const { ops, stopOps } = opsServices(config, db, clock, logger);
  if (breakers) ops.breakers = breakers;
  // Cost ledger: the usage store's per-user-day-operation table, written with each event (always on, it is free).
  ops.costs = sqliteUsage;
  const jwtSecret = loadJwtSecret(p.JwtSecret, config.dataDir);
  // Counters start exact: wait (briefly) for Redis rather than fail the first requests open or closed.
  if (redis) await redisReady(redis, 2000);
  // Rate limits and sign-in throttling share one store: Redis when there is one (exact across processes); else
  // the SQLite file for the workers of `manuel serve --workers N` (exact across them, ADR 0010); else memory.
  const localLimits = cluster.isWorker ? new SqliteRateLimitStore(db) : new MemoryRateLimitStore();
  const rateLimitStore = new FailModeRateLimitStore(redis ? onRedis(new RedisRateLimitStore(redis), guardRateLimitStore) : localLimits, {
    mode: p.RateLimitFailMode,
    logger: logger.child({ component: 'rate-limit' }),
    metrics,
  });

  let embedder: Embedder | null = null;
  try {
    embedder =
      opts.embedder !== undefined
        ? opts.embedder
        : config.sharedEmbedder && process.send
          ? // A cluster worker: the primary holds the model, one queue for every worker (docs/decisions/0016).
            new IpcEmbedder(process as unknown as IpcChannel, LOCAL_EMBEDDING_MODEL.dimensions, LOCAL_EMBEDDING_MODEL.modelId)
          : p.EmbeddingWorkers > 0
            ? await LocalEmbedder.create({ workers: p.EmbeddingWorkers })
            : null;
  } catch (e) {
    // Keyword search still works: better a server that answers than one that does not start.
    logger.error({ err: e }, 'embedding model failed to load; semantic search is off');
  }
  if (embedder) embedder = traced(tracing.tracedEmbedder, embedder);
  // Vectors are searched only with an embedder: decode them now, in the background, not on the first question.
  if (embedder) sqliteKb.warmVectors().catch((e: unknown) => logger.warn({ err: e }, 'decoding the vectors ahead of the first question failed'));

  // EnablePerformanceOptimization: pooled keep-alive connections sized by MaxConnections (docs/decisions/0010).
  const outbound = p.EnablePerformanceOptimization ? createOutboundHttp(p) : null;
  // With the flag on, ReadTimeout is the deadline of a whole model call (retries included); off, the adapters' own.
  const modelTimeoutMs = breakers ? p.ReadTimeout : undefined;
  const extractive = new ExtractiveAnswerWriter();
  let answerWriter: AnswerWriter = extractive;
  if (p.TextModelEndpoint) {
    const model = new OpenAiAnswerWriter({ endpoint: p.TextModelEndpoint, model: p.TextModelId, apiKey: p.TextModelApiKey || undefined, fetch: outbound?.fetch, timeoutMs: modelTimeoutMs });
    const guarded = breakers ? new GuardedAnswerWriter(model, breakers.policy(modelEndpointPolicy(SERVICES.answer, p, opts.breakers))) : model;
    // In both profiles: a failed model call costs nothing more than the extractive answer it is replaced by (ADR 0011).
    answerWriter = new FallbackAnswerWriter(guarded, extractive, { logger, metrics, service: SERVICES.answer });
  }

  const sphinxBinary = which('pocketsphinx_continuous');
  const localRecogniser = () => new PocketsphinxTranscriber({ cacheDir: join(config.dataDir, 'cache', 'sphinx') });
  let transcriber: Transcriber | null = null;
  let transcriberProbe: HealthProbe | null = null;
  if (opts.transcriber !== undefined) {
    transcriber = opts.transcriber;
  } else if (p.TranscribeEndpoint) {
    const endpoint = new OpenAiTranscriber({ endpoint: p.TranscribeEndpoint, model: p.TranscribeModelId, apiKey: p.TranscribeApiKey || undefined, fetch: outbound?.fetch, timeoutMs: modelTimeoutMs });
    const guarded = breakers ? new GuardedTranscriber(endpoint, breakers.policy(modelEndpointPolicy(SERVICES.transcription, p, opts.breakers))) : endpoint;
    transcriber = sphinxBinary ? new FallbackTranscriber(guarded, localRecogniser(), { logger, metrics, service: SERVICES.transcription }) : guarded;
    transcriberProbe = endpointProbe({
      name: 'transcriber',
      endpoint: p.TranscribeEndpoint,
      apiKey: p.TranscribeApiKey || undefined,
      fetch: outbound?.fetch,
      breaker: breakers ? SERVICES.transcription : undefined,
      fallback: sphinxBinary ? 'spoken questions fall back to pocketsphinx' : undefined,
    });
  } else if (sphinxBinary) {
    transcriber = localRecogniser();
    transcriberProbe = pocketsphinxProbe({ binary: sphinxBinary, modelDir: DEFAULT_MODEL_DIR });
  }
  const voiceReady = transcriber !== null && onPath('ffmpeg');
  if (!voiceReady) transcriberProbe = unavailableProbe('transcriber', 'speech recognition needs ffmpeg and a recogniser: voice routes answer 503');
  if (!voiceReady) logger.warn({ transcriber: !!transcriber }, 'speech recognition unavailable (needs ffmpeg and a transcriber); voice routes answer 503');
  const voiceDeps = voiceReady
    ? {
        decoder: new FfmpegAudioDecoder(),
        transcriber: traced(tracing.tracedTranscriber, transcriber!),
        kb,
        parameters: p,
        // The manuals' terms (and, for pocketsphinx's language model, their text) bias recognition.
        hints: new RecognitionHints({ kb, corpus: transcriber instanceof PocketsphinxTranscriber ? new SqliteRecognitionCorpus(db) : undefined }),
        archive: new FsAudioArchive(join(config.dataDir, 'audio')),
      }
    : null;

  const backlog = new SqliteIngestBacklog(db, embedder !== null);
  const opsOf = () => app.ops;
  const monitor = monitoring
    ? createMonitor(
        {
          stats: new SqliteMinuteStats(db),
          alarmStates: new SqliteAlarmStates(db),
          counters,
          backlog,
          parameters: p,
          ops: opsOf,
          clock: opts.monitoring?.clock ?? clock,
          logger: logger.child({ component: 'monitor' }),
        },
        metrics,
        opts.monitoring,
      )
    : null;
  if (monitor) {
    ops.monitor = monitor;
    metrics.collectProcessMetrics();
    if (opts.monitoring?.start !== false) monitor.start();
  }
  registerServiceGauges(metrics, { backlog, ops: opsOf });
  // Usage events and ingest jobs are counted where they are recorded, by wrapping their ports.
  const usage = meteredUsageRepo(sqliteUsage, metrics, monitor?.minutes);
  // EnableAdvancedErrorHandling: jobs failed for good go to the dead-letter queue; MaxRetryAttempts attempts,
  // exponential backoff with full jitter between them. Off: 3 attempts, linear backoff, no DLQ.
  const retry = p.EnableAdvancedErrorHandling ? { maxAttempts: p.MaxRetryAttempts, retryDelay: fullJitterBackoff(p.BaseRetryDelay, p.MaxRetryDelay) } : {};
  const workerOpts = { ...retry, ...opts.worker };
  const jobs = meteredJobQueue(queue, metrics, monitor?.minutes);
  const worker = new IngestWorker(
    { queue: jobs, handler: ingestJobHandler({ manuals, blobs, pdfReader, inspector, kb, embedder, logger, ...(tracer ? { tracer } : {}) }), logger: logger.child({ component: 'ingest' }), ops },
    workerOpts,
  );
  queue.onEnqueue(() => worker.notify());
  const reclaimed = queue.reclaimOrphans(isDeadLocalWorker);
  if (reclaimed > 0) logger.info({ jobs: reclaimed }, 'resuming ingest jobs of a worker that died');
  if (workerOpts.start !== false) worker.start();

  const pingDb = () => db.open && db.prepare('SELECT 1 AS ok').get() !== undefined;
  const healthProbes: HealthProbe[] = [
    databaseProbe(pingDb),
    ...(redis ? [redisProbe(redis, redisGuard ? SERVICES.redis : undefined)] : []),
    ...(embedder !== null || (opts.embedder === undefined && p.EmbeddingWorkers > 0) ? [embedderProbe(embedder)] : []),
    ...(transcriberProbe ? [transcriberProbe] : []),
    ...(p.TextModelEndpoint
      ? [endpointProbe({ name: 'answer-endpoint', endpoint: p.TextModelEndpoint, apiKey: p.TextModelApiKey || undefined, fetch: outbound?.fetch, breaker: breakers ? SERVICES.answer : undefined, fallback: 'answers fall back to extractive' })]
      : []),
    ingestProbe(worker, () => queue.depth()),
  ];
  const urlImport = breakers?.policy(urlImportPolicy(p));

  let closed: Promise<void> | null = null;
  const app: EmbeddedApp = {
    config,
    parameters: p,
    dataDir: config.dataDir,
    bootstrapDir: config.bootstrapDir,
    logger,
    metrics,
    redis,
    clock,
    db,
    users,
    manuals,
    jobs,
    usage,
    counters,
    manualVersions: versioned.readVersions,
    ...(answerLookup ? { answerLookup } : {}),
    kb,
    embedder,
    answerWriter: traced(tracing.tracedAnswerWriter, answerWriter),
    blobs,
    cache,
    pdfReader,
    worker,
    auth: {
      identity: new LocalIdentityProvider({
        users,
        hasher: new ScryptPasswordHasher(),
        tokens: new JoseTokenService(jwtSecret, p.AccessTokenTtlSeconds),
        refreshTokens: new SqliteRefreshTokenRepo(db),
        clock,
        refreshTokenTtlDays: p.RefreshTokenTtlDays,
      }),
      // Brute-force protection is always on (no flag).
      throttle: authThrottle(rateLimitStore, p, metrics),
    },
    rateLimitStore,
    // API-key secrets are sealed with a key derived from the JWT secret (docs/decisions/0006-request-signing.md).
    signing: signingServices({ apiKeys: new SqliteApiKeyRepo(db), secret: jwtSecret, nonces: redis ? new RedisNonceStore(redis) : null }),
    ...(voiceDeps ? { transcribeAudio: (input) => transcribeAudio(voiceDeps, input) } : {}),
    ...(outbound ? { urlImportAgents: outbound.agents } : {}),
    ...(urlImport ? { urlImportAttempts: (attempt, signal) => urlImport.execute(attempt, signal) } : {}),
    // A question asked again while its answer is being computed waits for that answer (always: it only saves work).
    answerFlights: new SingleFlight(),
    // EnablePerformanceOptimization: new answers past LatencyThreshold of queued work get 503 at once.
    ...(p.EnablePerformanceOptimization ? { admission: new AnswerAdmission({ thresholdMs: p.LatencyThreshold, metrics }) } : {}),
    pingDb,
    healthProbes,
    version: packageVersion(),
    // The worker reports to this same object (dead letters, error records, alerts of jobs given up).
    ops,
    ...(tracer ? { tracer } : {}),
    // Untraced index and the extractive writer: no span, no model call, nothing written.
    ...(p.EnablePerformanceOptimization
      ? {
          warmUp: async () =>
            warmAnswerPath({ kb: sqliteKb, answerWriter: extractive }, sqliteKb.sampleChunks(WARM_UP_QUESTIONS).map((s) => (embedder ? s : { ...s, vector: null })), {
              limit: p.KnowledgeBaseRetrievalResults,
              budgetMs: WARM_UP_BUDGET_MS,
            }),
        }
      : {}),
    close: (drainMs = 10_000) =>
      (closed ??= (async () => {
        stopPruning();
        stopUploadSweep();
        stopOps();
        await worker.stop(drainMs);
        await monitor?.stop(); // after the worker: its last job's pages are in the last minute written
        await ops.notifier?.flush?.(); // alerts of the last failures (a job given up while draining, an alarm) go out
        await embedder?.close?.();
        redis?.disconnect();
        await outbound?.close();
        db.close();
        // Last, so the spans of the drained requests and job are exported; a collector that is down loses them, nothing else.
        await tracer?.shutdown().catch((e: unknown) => logger.warn({ err: e }, 'spans not exported at shutdown'));
      })()),
  };
  return app;
}
