import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ipListError } from './ip-list.js';

/**
 * The parameters of the original SAM stack, same names in both shapes. A parameters file is
 * `{"Parameters": {...}}` (what `sam deploy --parameter-overrides-file` reads); every parameter can be
 * overridden by an environment variable of the same name. Unknown names stop start-up.
 */
const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
/** Comma-separated IPs / CIDRs: a wrong entry stops start-up with the parameter's name and the entry. */
const ipList = z.string().superRefine((v, ctx) => {
  const problem = ipListError(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** Comma-separated exact origins (scheme://host[:port]); no wildcard: CORS is opt-in per origin. */
const originList = z.string().superRefine((v, ctx) => {
  for (const o of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o) && !/^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(o)) {
      ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin like https://app.example.com (no path, no wildcard)` });
    }
  }
});

export const ParametersSchema = z
  .object({
    Environment: z.string().default('local'),
    // feature flags (minimal = all six false)
    EnableAdvancedSecurity: bool.default(false),
    EnableAdvancedErrorHandling: bool.default(false),
    EnablePerformanceOptimization: bool.default(false),
    EnableXRayTracing: bool.default(false),
    EnableWAF: bool.default(false),
    EnableRedisCache: bool.default(false),
    // quotas and limits
    DailyQuotaLimit: int(0, 1_000_000).default(50),
    MonthlyQuotaLimit: int(0, 100_000_000).default(1000),
    RateLimitRequests: int(1, 1_000_000).default(100),
    RateLimitWindowMinutes: num(0.01, 1440).default(1),
    MaxManualSizeMB: num(0.001, 2048).default(100),
    MaxAudioSizeMB: num(0.001, 512).default(25),
    MaxAudioDurationSeconds: int(1, 3600).default(300),
    AudioFileRetentionDays: int(0, 3650).default(0),
    KnowledgeBaseRetrievalResults: int(1, 50).default(5),
    MaxQuestionLength: int(1, 100_000).default(1000),
    // url import
    AllowPrivateUrls: bool.default(false),
    // auth
    AdminEmail: z.string().default(''),
    JwtSecret: z.string().default(''), // empty: generated once and kept under the data dir
    AccessTokenTtlSeconds: int(60, 86400 * 30).default(3600),
    RefreshTokenTtlDays: int(1, 365).default(30),
    // models
    TextModelEndpoint: z.string().default(''), // OpenAI-compatible base URL; empty = extractive answers
    TextModelId: z.string().default(''),
    TextModelApiKey: z.string().default(''),
    EmbeddingModelId: z.string().default(''), // aws shape: Bedrock embedding model (amazon.titan-embed-text-v2:0); empty = the bundled local model
    TranscribeEndpoint: z.string().default(''), // OpenAI-compatible /v1/audio/transcriptions base URL; empty = pocketsphinx
    TranscribeModelId: z.string().default('whisper-1'),
    TranscribeApiKey: z.string().default(''),
    EmbeddingWorkers: int(0, 16).default(2), // 0 = keyword search only
    // prices (EUR) for cost_info
    PriceQueryEur: num(0, 100).default(0),
    PriceTranscribeMinuteEur: num(0, 100).default(0),
    PriceInputTokensPer1kEur: num(0, 100).default(0),
    PriceOutputTokensPer1kEur: num(0, 100).default(0),
    // security (EnableAdvancedSecurity, EnableWAF; brute-force protection is always on)
    IPAllowlist: ipList.default(''), // comma-separated IPs / CIDRs (v4 and v6); empty = everyone
    TrustedProxies: ipList.default(''), // comma-separated IPs / CIDRs whose X-Forwarded-For is believed
    HMACSigningKey: z.string().default(''), // comma-separated secrets, newest first (RFC 9421 hmac-sha256)
    MaxRequestSizeMB: num(0.001, 1024).default(1), // every body but uploads and audio (JSON of a few KB; 1 MB leaves room)
    CorsAllowedOrigins: originList.default(''), // comma-separated origins; empty = same origin only
    RateLimitFailMode: z.enum(['open', 'closed']).default('open'), // when the rate-limit store is down
    LoginMaxConsecutiveFailures: int(1, 1000).default(5), // per email + client address
    LoginLockoutMinutes: num(0.01, 1440).default(15),
    LoginMaxFailuresPerIpPerDay: int(1, 1_000_000).default(100),
    SignupRequestsPerIpPerHour: int(1, 1_000_000).default(20),
    // redis (EnableRedisCache; also the shared store of rate limits when RedisUrl is set)
    RedisUrl: z.string().default(''), // empty: redis://127.0.0.1:6379 when EnableRedisCache is on
    RedisKeyPrefix: z.string().default('manuel:'),
    CacheTtlSeconds: int(1, 86400 * 30).default(3600),
    CacheMemorySize: int(0, 10_000_000).default(5000), // entries of the in-process LRU when Redis is off
    // performance (EnablePerformanceOptimization)
    UsageDataRetentionDays: int(1, 3650).default(400),
    MaxConnections: int(1, 10_000).default(50), // outbound HTTP keep-alive sockets per origin
    MaxIdleConnections: int(0, 10_000).default(10),
    ConnectionTimeout: int(100, 600_000).default(5000), // ms
    ReadTimeout: int(100, 600_000).default(30_000), // ms
    LatencyThreshold: int(10, 600_000).default(2000), // ms: p95 target (admission control, alarms)
    // error handling (EnableAdvancedErrorHandling)
    MaxRetryAttempts: int(1, 20).default(3), // attempts per call or ingest job, the first included
    BaseRetryDelay: int(1, 600_000).default(200), // ms: exponential backoff base (full jitter)
    MaxRetryDelay: int(1, 3_600_000).default(5000), // ms: backoff cap
    ErrorRetentionDays: int(1, 3650).default(30), // error-tracking records
    AlertWebhookUrl: z
      .string()
      .refine((v) => v === '' || (/^https?:\/\//i.test(v) && URL.canParse(v)), { message: 'must be an http(s) URL (or empty: no alerts)' })
      .default(''), // JSON POST for high/critical errors, DLQ arrivals, alarms (docs/decisions/0013)
    AlertEmail: z.string().default(''), // AWS shape: SNS e-mail subscription
    // monitoring (alarms evaluated every minute; EnableXRayTracing for spans)
    ErrorRateThreshold: num(0, 100).default(5), // % of 5xx over 5 minutes
    QuotaUsageThreshold: num(0, 100).default(80), // % of a user's daily or monthly quota
    DailyCostThreshold: num(0, 1_000_000).default(10), // EUR today, every user
    RequestCostThreshold: num(0, 1_000_000).default(0.5), // EUR for one request
    LogRetentionDays: int(1, 3650).default(30), // per-minute aggregates and logs kept
    MetricsToken: z.string().default(''), // set: GET /metrics needs Authorization: Bearer <MetricsToken>
    OtelExporterEndpoint: z.string().default(''), // OTLP/HTTP base URL, e.g. http://127.0.0.1:4318; empty = no export
    TracingSampleRate: num(0, 1).default(0.05), // EnableXRayTracing: the first trace of each second, then this fraction (X-Ray's default rule)
  })
  .strict();

export type Parameters = z.infer<typeof ParametersSchema>;
export const parameterNames = Object.keys(ParametersSchema.shape) as (keyof Parameters)[];

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parse raw values (file + env + explicit overrides), naming the offending parameter on failure. */
export function parseParameters(raw: Record<string, unknown>): Parameters {
  const result = ParametersSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw new ConfigError(`Unknown parameter: ${issue.keys.join(', ')}`);
    throw new ConfigError(`Invalid parameter ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

export function readParametersFile(path: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`Cannot read parameters file ${path}: ${(e as Error).message}`);
  }
  if (Array.isArray(json)) {
    // `aws cloudformation` style: [{ParameterKey, ParameterValue}]
    return Object.fromEntries(json.map((p: { ParameterKey: string; ParameterValue: unknown }) => [p.ParameterKey, p.ParameterValue]));
  }
  const obj = json as { Parameters?: Record<string, unknown> };
  if (!obj || typeof obj !== 'object' || !obj.Parameters || typeof obj.Parameters !== 'object') {
    throw new ConfigError(`Parameters file ${path} must look like {"Parameters": {...}}`);
  }
  return obj.Parameters;
}

/** Environment variables named like a parameter override the file. */
export function parametersFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of parameterNames) if (env[name] !== undefined) out[name] = env[name];
  return out;
}
