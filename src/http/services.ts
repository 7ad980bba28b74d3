import type { Parameters } from '../config/parameters.js';
import type { AnswerWriter } from '../core/ports/answer-writer.js';
import type { ApiKeyRepo } from '../core/ports/api-key-repo.js';
import type { BlobStore } from '../core/ports/blob-store.js';
import type { CachedAnswerLookup } from '../core/ports/answer-lookup.js';
import type { Cache } from '../core/ports/cache.js';
import type { Clock } from '../core/ports/clock.js';
import type { Embedder } from '../core/ports/embedder.js';
import type { JobQueue } from '../core/ports/job-queue.js';
import type { KnowledgeBase } from '../core/ports/knowledge-base.js';
import type { Logger } from '../core/ports/logger.js';
import type { Metrics } from '../core/ports/metrics.js';
import type { ManualRepo } from '../core/ports/manual-repo.js';
import type { NonceStore } from '../core/ports/nonce-store.js';
import type { AuthThrottle } from '../core/ports/auth-throttle.js';
import type { IdentityProvider } from '../core/ports/identity-provider.js';
import type { RateLimitStore } from '../core/ports/rate-limit-store.js';
import type { BlobPresigner } from '../core/ports/blob-presigner.js';
import type { SecretBox } from '../core/ports/secret-box.js';
import type { UsageRepo } from '../core/ports/usage-repo.js';
import type { UsageCounters } from '../core/ports/usage-counters.js';
import type { ManualSetVersions } from '../core/ports/manual-set-versions.js';
import type { UserRepo } from '../core/ports/user-repo.js';
import type { Breakers } from '../core/ports/breakers.js';
import type { CostLedger } from '../core/ports/cost-ledger.js';
import type { DeadLetterQueue } from '../core/ports/dead-letter-queue.js';
import type { ErrorTracker } from '../core/ports/error-tracker.js';
import type { Notifier } from '../core/ports/notifier.js';
import type { HealthProbe } from '../core/ports/health-probe.js';
import type { Monitor } from '../core/monitoring/monitor.js';
import type { RequestTracer } from '../core/ports/tracer.js';
import type { AnswerAdmission } from '../core/perf/answer-admission.js';
import type { ComputedAnswer } from '../core/ask/answer-query.js';
import type { SingleFlight } from '../core/ask/single-flight.js';

/** Operations (EnableAdvancedErrorHandling, monitoring): each part absent when its feature is off. */
export interface OpsServices {
  /** 5xx responses and failed jobs, grouped by fingerprint (GET /api/admin/errors). */
  errors?: ErrorTracker;
  /** Alerts to AlertWebhookUrl (SNS on AWS). */
  notifier?: Notifier;
  /** Jobs that failed for good (GET /api/admin/dlq). */
  deadLetters?: DeadLetterQueue;
  /** Circuit breakers of outbound dependencies (/health/deep, /metrics). */
  breakers?: Breakers;
  /** Cost by user, operation and day (usage's daily_costs/monthly_costs, the DailyCostThreshold alarm). */
  costs?: CostLedger;
  /** Per-minute aggregates, alarms and the dashboard's data (EnableAdvancedErrorHandling or EnableXRayTracing). */
  monitor?: Monitor;
}

export interface TranscribeAudioInput {
  audio: Buffer;
  contentType: string | null;
  owners: string[];
}

export interface TranscribeAudioResult {
  text: string;
  confidence: number;
  durationS: number;
  engine: string;
}

/**
 * Everything the HTTP routes need. A plain structural interface: the embedded wiring
 * (src/wiring/embedded.ts) and, later, the aws wiring each build one.
 */
export interface AppServices {
  parameters: Parameters;
  dataDir: string;
  bootstrapDir: string;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  users: UserRepo;
  manuals: ManualRepo;
  jobs: JobQueue;
  usage: UsageRepo;
  /** Per-user day and month counters: quotas and usage_info (constant time, atomic check-and-count). */
  counters: UsageCounters;
  /** Versions of each owner's manual set, folded into answer-cache keys. */
  manualVersions: ManualSetVersions;
  kb: KnowledgeBase;
  embedder: Embedder | null;
  answerWriter: AnswerWriter;
  blobs: BlobStore;
  /** Direct transfers to and from the blob store (aws: S3 presigned URLs). Without it the server moves the bytes itself (ADR 0030). */
  presigner?: BlobPresigner;
  cache: Cache;
  /** The versions and the cached answer read together (Redis: one round trip); absent: one after the other. */
  answerLookup?: CachedAnswerLookup;
  /** The ingestion worker (for /health); the job queue itself wakes it on every enqueue. */
  worker: { isRunning(): boolean };
  /** Credentials and tokens (local scrypt + JWT, or Cognito) and the brute-force throttle of login/signup. */
  auth: { identity: IdentityProvider; throttle?: AuthThrottle };
  /** Counters of the HTTP rate limits (memory, or Redis shared by processes), fail mode applied. Absent: no rate limiting. */
  rateLimitStore?: RateLimitStore;
  /** API keys (secrets sealed at rest) and the replay store of signed requests. */
  signing: { apiKeys: ApiKeyRepo; secretBox: SecretBox; nonces: NonceStore };
  /** Speech -> text (voice wiring). Absent: voice routes answer 503. */
  transcribeAudio?: (input: TranscribeAudioInput) => Promise<TranscribeAudioResult>;
  /** EnableAdvancedErrorHandling: runs URL-import attempts, retrying transient failures with back-off; absent: one attempt. */
  urlImportAttempts?: <T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T>;
  /** Keep-alive agents of URL import (EnablePerformanceOptimization); absent: a fresh socket per download. */
  urlImportAgents?: { http: import('node:http').Agent; https: import('node:https').Agent };
  /** Admission control of new answers (EnablePerformanceOptimization); absent: every question is queued. */
  admission?: AnswerAdmission;
  /** Concurrent misses of one answer-cache key share one computation. */
  answerFlights?: SingleFlight<ComputedAnswer>;
  /** Cheap liveness probe of the database for /health. */
  pingDb?: () => boolean | Promise<boolean>;
  /** Every dependency's probe for /health/deep; absent: the database and the ingest worker only. */
  healthProbes?: HealthProbe[];
  version?: string;
  /** Error tracking, alerts, dead letters, breakers; `{}` in the minimal profile. */
  ops: OpsServices;
  /** Spans of requests, retrieval, answers and storage calls (EnableXRayTracing); absent: nothing traced, no middleware. */
  tracer?: RequestTracer;
}
