import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { FfmpegAudioDecoder } from '../adapters/embedded/ffmpeg-audio-decoder.js';
import { FsAudioArchive } from '../adapters/embedded/fs-audio-archive.js';
import { FsBlobStore } from '../adapters/embedded/fs-blob-store.js';
import { JoseTokenService, loadJwtSecret } from '../adapters/embedded/jose-token-service.js';
import { LocalEmbedder } from '../adapters/embedded/local-embedder.js';
import { MemoryCache } from '../adapters/embedded/memory-cache.js';
import { PocketsphinxTranscriber } from '../adapters/embedded/pocketsphinx-transcriber.js';
import { SqliteRecognitionCorpus } from '../adapters/embedded/sqlite-recognition-corpus.js';
import { ScryptPasswordHasher } from '../adapters/embedded/scrypt-password-hasher.js';
import { openDatabase, type SqliteDb } from '../adapters/embedded/sqlite-db.js';
import { SqliteJobQueue } from '../adapters/embedded/sqlite-job-queue.js';
import { SqliteKnowledgeBase } from '../adapters/embedded/sqlite-knowledge-base.js';
import { SqliteManualRepo } from '../adapters/embedded/sqlite-manual-repo.js';
import { SqliteRefreshTokenRepo } from '../adapters/embedded/sqlite-refresh-token-repo.js';
import { SqliteUsageRepo } from '../adapters/embedded/sqlite-usage-repo.js';
import { SqliteUserRepo } from '../adapters/embedded/sqlite-user-repo.js';
import { WorkerPdfInspector } from '../adapters/embedded/worker-pdf-inspector.js';
import { WorkerPdfReader } from '../adapters/embedded/worker-pdf-reader.js';
import { PromMetrics } from '../adapters/metrics/prom-metrics.js';
import { AesGcmSecretBox } from '../adapters/embedded/aes-gcm-secret-box.js';
import { MemoryNonceStore } from '../adapters/embedded/memory-nonce-store.js';
import { SqliteApiKeyRepo } from '../adapters/embedded/sqlite-api-key-repo.js';
import { RedisNonceStore } from '../adapters/redis/redis-nonce-store.js';
import { createRedisConnection, redisReady } from '../adapters/redis/redis-connection.js';
import { FailModeRateLimitStore } from '../adapters/redis/fail-mode-rate-limit-store.js';
import { RedisRateLimitStore } from '../adapters/redis/redis-rate-limit-store.js';
import { MemoryRateLimitStore } from '../adapters/embedded/memory-rate-limit-store.js';
import { CounterAuthThrottle } from '../core/auth/auth-throttle.js';
import { FallbackUsageCounters } from '../adapters/redis/fallback-usage-counters.js';
import { RedisAnswerCache } from '../adapters/redis/redis-answer-cache.js';
import { RedisManualSetVersions } from '../adapters/redis/redis-manual-set-versions.js';
import { RedisUsageCounters } from '../adapters/redis/redis-usage-counters.js';
import { SqliteManualSetVersions } from '../adapters/embedded/sqlite-manual-set-versions.js';
import { SqliteUsageCounters } from '../adapters/embedded/sqlite-usage-counters.js';
import { VersionedManualRepo } from '../core/manuals/versioned-manual-repo.js';
import { scheduleUsagePruning } from '../core/usage/usage-retention.js';
import type { Cache } from '../core/ports/cache.js';
import type { UsageCounters } from '../core/ports/usage-counters.js';
import { OpenAiAnswerWriter } from '../adapters/openai/openai-answer-writer.js';
import { createOutboundHttp } from '../adapters/http/outbound-http.js';
import { OpenAiTranscriber } from '../adapters/openai/openai-transcriber.js';
import type { EmbeddedConfig } from '../config/config.js';
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
import type { AppServices } from '../http/services.js';

export interface EmbeddedOptions {
  /** undefined: the bundled model with EmbeddingWorkers threads (none when 0); null: keyword search only. */
  embedder?: Embedder | null;
  logger?: Logger;
  /** Lease and polling of the ingest worker; `start: false` leaves it stopped (CLI, tests). */
  worker?: IngestWorkerOptions & { start?: boolean };
  /** undefined: from the parameters (OpenAI-compatible endpoint, else pocketsphinx if installed); null: no voice. */
  transcriber?: Transcriber | null;
  /** undefined: pdf.js in a worker per PDF with its default caps (tests pass a tighter one). */
  pdfReader?: PdfReader;
}

export interface EmbeddedApp extends AppServices {
  config: EmbeddedConfig;
  db: SqliteDb;
  pdfReader: PdfReader;
  worker: IngestWorker;
  metrics: PromMetrics;
  /** The shared Redis connection (EnableRedisCache, or RedisUrl set); null when Redis is not used. */
  redis: Redis | null;
  /** Stops the worker (draining its job), closes the embedder and the database. Idempotent. */
  close(drainMs?: number): Promise<void>;
}

const onPath = (bin: string) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, bin)));

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

/** The embedded shape: one SQLite file, files under the data dir, local models. The only place adapters are chosen. */
export async function createEmbedded(config: EmbeddedConfig, opts: EmbeddedOptions = {}): Promise<EmbeddedApp> {
  const p = config.parameters;
  const logger: Logger = opts.logger ?? (pino({ level: config.logLevel, base: { service: 'manuel' } }) as unknown as Logger);
  const db = openDatabase(join(config.dataDir, 'manuel.db'));
  const users = new SqliteUserRepo(db);
  const sqliteManuals = new SqliteManualRepo(db);
  const usage = new SqliteUsageRepo(db);
  const queue = new SqliteJobQueue(db);
  const kb = new SqliteKnowledgeBase(db);
  const blobs = new FsBlobStore(join(config.dataDir, 'blobs'));
  const pdfReader = opts.pdfReader ?? new WorkerPdfReader(); // pdf.js off the event loop, its memory returned after each PDF (ADR 0018)
  const inspector = new WorkerPdfInspector(); // always on: upload threat checks are not behind a flag (ADR 0008)
  const metrics = new PromMetrics();
  const redisUrl = p.RedisUrl || (p.EnableRedisCache ? 'redis://127.0.0.1:6379' : '');
  const redis = redisUrl ? createRedisConnection({ url: redisUrl, logger, keyPrefix: p.RedisKeyPrefix }) : null;
  // EnableRedisCache: answers, manual-set versions and usage counters shared by every process on that Redis.
  const sharedCache = p.EnableRedisCache && redis !== null;
  const cache: Cache = sharedCache ? new RedisAnswerCache(redis, { logger }) : new MemoryCache({ maxEntries: p.CacheMemorySize });
  const sqliteCounters = new SqliteUsageCounters(db);
  const counters: UsageCounters = sharedCache ? new FallbackUsageCounters(new RedisUsageCounters(redis), sqliteCounters, logger) : sqliteCounters;
  const versioned = new VersionedManualRepo(
    sqliteManuals,
    sharedCache ? new RedisManualSetVersions(redis) : new SqliteManualSetVersions(db),
    (id) => sqliteManuals.ownerOf(id),
    logger.child({ component: 'answer-cache' }),
  );
  const manuals = versioned;
  const stopPruning = scheduleUsagePruning({ usage, clock: systemClock, logger }, p.UsageDataRetentionDays);
  const jwtSecret = loadJwtSecret(p.JwtSecret, config.dataDir);
  // Counters start exact: wait (briefly) for Redis rather than fail the first requests open or closed.
  if (redis) await redisReady(redis, 2000);
  // Rate limits and sign-in throttling share one store: Redis when there is one (exact across processes), else memory.
  const rateLimitStore = new FailModeRateLimitStore(redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore(), {
    mode: p.RateLimitFailMode,
    logger: logger.child({ component: 'rate-limit' }),
    metrics,
  });

  let embedder: Embedder | null = null;
  try {
    embedder = opts.embedder !== undefined ? opts.embedder : p.EmbeddingWorkers > 0 ? await LocalEmbedder.create({ workers: p.EmbeddingWorkers }) : null;
  } catch (e) {
    // Keyword search still works: better a server that answers than one that does not start.
    logger.error({ err: e }, 'embedding model failed to load; semantic search is off');
  }

  // EnablePerformanceOptimization: pooled keep-alive connections sized by MaxConnections (docs/decisions/0010).
  const outbound = p.EnablePerformanceOptimization ? createOutboundHttp(p) : null;
  const answerWriter: AnswerWriter = p.TextModelEndpoint
    ? new OpenAiAnswerWriter({ endpoint: p.TextModelEndpoint, model: p.TextModelId, apiKey: p.TextModelApiKey || undefined, fetch: outbound?.fetch })
    : new ExtractiveAnswerWriter();

  const transcriber =
    opts.transcriber !== undefined
      ? opts.transcriber
      : p.TranscribeEndpoint
        ? new OpenAiTranscriber({ endpoint: p.TranscribeEndpoint, model: p.TranscribeModelId, apiKey: p.TranscribeApiKey || undefined, fetch: outbound?.fetch })
        : onPath('pocketsphinx_continuous')
          ? new PocketsphinxTranscriber({ cacheDir: join(config.dataDir, 'cache', 'sphinx') })
          : null;
  const voiceReady = transcriber !== null && onPath('ffmpeg');
  if (!voiceReady) logger.warn({ transcriber: !!transcriber }, 'speech recognition unavailable (needs ffmpeg and a transcriber); voice routes answer 503');
  const voiceDeps = voiceReady
    ? {
        decoder: new FfmpegAudioDecoder(),
        transcriber: transcriber!,
        kb,
        parameters: p,
        // The manuals' terms (and, for pocketsphinx's language model, their text) bias recognition.
        hints: new RecognitionHints({ kb, corpus: transcriber instanceof PocketsphinxTranscriber ? new SqliteRecognitionCorpus(db) : undefined }),
        archive: new FsAudioArchive(join(config.dataDir, 'audio')),
      }
    : null;

  const workerOpts = opts.worker ?? {};
  const jobs = queue;
  const worker = new IngestWorker({ queue: jobs, handler: ingestJobHandler({ manuals, blobs, pdfReader, inspector, kb, embedder, logger }), logger: logger.child({ component: 'ingest' }) }, workerOpts);
  queue.onEnqueue(() => worker.notify());
  const reclaimed = queue.reclaimOrphans(isDeadLocalWorker);
  if (reclaimed > 0) logger.info({ jobs: reclaimed }, 'resuming ingest jobs of a worker that died');
  if (workerOpts.start !== false) worker.start();

  let closed: Promise<void> | null = null;
  const app: EmbeddedApp = {
    config,
    parameters: p,
    dataDir: config.dataDir,
    bootstrapDir: config.bootstrapDir,
    logger,
    metrics,
    redis,
    clock: systemClock,
    db,
    users,
    manuals,
    jobs,
    usage,
    counters,
    manualVersions: versioned.readVersions,
    kb,
    embedder,
    answerWriter,
    blobs,
    cache,
    pdfReader,
    worker,
    auth: {
      hasher: new ScryptPasswordHasher(),
      tokens: new JoseTokenService(jwtSecret, p.AccessTokenTtlSeconds),
      refreshTokens: new SqliteRefreshTokenRepo(db),
      // Brute-force protection is always on (no flag).
      throttle: new CounterAuthThrottle(
        rateLimitStore,
        {
          maxConsecutiveFailures: p.LoginMaxConsecutiveFailures,
          lockoutMinutes: p.LoginLockoutMinutes,
          maxFailuresPerIpPerDay: p.LoginMaxFailuresPerIpPerDay,
          signupsPerIpPerHour: p.SignupRequestsPerIpPerHour,
        },
        metrics,
      ),
    },
    rateLimitStore,
    // API-key secrets are sealed with a key derived from the JWT secret (docs/decisions/0006-request-signing.md).
    signing: { apiKeys: new SqliteApiKeyRepo(db), secretBox: new AesGcmSecretBox(jwtSecret), nonces: redis ? new RedisNonceStore(redis) : new MemoryNonceStore() },
    ...(voiceDeps ? { transcribeAudio: (input) => transcribeAudio(voiceDeps, input) } : {}),
    ...(outbound ? { urlImportAgents: outbound.agents } : {}),
    pingDb: () => db.open && db.prepare('SELECT 1 AS ok').get() !== undefined,
    version: packageVersion(),
    ops: {},
    close: (drainMs = 10_000) =>
      (closed ??= (async () => {
        stopPruning();
        await worker.stop(drainMs);
        await embedder?.close?.();
        redis?.disconnect();
        await outbound?.close();
        db.close();
      })()),
  };
  return app;
}
