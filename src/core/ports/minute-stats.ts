/** Latency histogram of a minute: log-scale bucket index -> count (see core/monitoring/latency-sketch.ts). */
export type SketchBuckets = Record<string, number>;

/** Cost and count of one operation (query, transcribe, upload) within a minute. */
export interface OperationCost {
  eur: number;
  count: number;
}

/**
 * Figures of one minute: of one process when written, of every process when read (merged). Counts add
 * up across processes; the gauges (sampled once a minute from shared state) take the largest sample.
 */
export interface MinuteStats {
  /** Unix seconds of the minute's start (a multiple of 60). */
  minute: number;
  requests: number;
  errors5xx: number;
  errors4xx: number;
  /** Request latencies in ms. */
  latency: SketchBuckets;
  cacheHits: number;
  cacheMisses: number;
  cacheBypass: number;
  answers: number;
  pagesIngested: number;
  chunksIndexed: number;
  jobsQueued: number;
  /** Sampled at the end of the minute; null when not sampled (no DLQ, or the sample failed). */
  dlqSize: number | null;
  queueDepth: number | null;
  costs: Record<string, OperationCost>;
  /** The most one request cost in this minute (EUR). */
  maxRequestCostEur: number;
  /** Users who used a quota operation in this minute (capped; see MAX_ACTIVE_USERS). */
  activeUsers: string[];
}

/** Cost of one operation on one UTC day (the dashboard's cost per day). */
export interface DayCost {
  day: string;
  operation: string;
  eur: number;
  count: number;
}

/**
 * Per-minute aggregates kept `LogRetentionDays` (SQLite locally; the dashboard's charts, the alarms'
 * figures). Several processes on one store each add their own rows; reads merge them per minute.
 */
export interface MinuteStatsStore {
  /** Adds these figures to what `source` (one process) already wrote for the same minutes. */
  add(source: string, rows: MinuteStats[]): Promise<void>;
  /** Minutes `from`..`to` inclusive (unix seconds), every source merged, ascending; minutes without a row are absent. */
  read(fromMinute: number, toMinute: number): Promise<MinuteStats[]>;
  /** Cost per UTC day and operation over minutes `from`..`to` inclusive. */
  costByDay(fromMinute: number, toMinute: number): Promise<DayCost[]>;
  /** Deletes minutes before `beforeMinute`; returns how many rows went. */
  prune(beforeMinute: number): Promise<number>;
}
