import type { UsageEvent, UsageOperation } from '../model/types.js';

export interface UsageCounts {
  count: number;
  costEur: number;
  byOperation: Partial<Record<UsageOperation, number>>;
}

export interface UsageRepo {
  record(event: UsageEvent): Promise<void>;
  /** Totals for a user since `sinceIso` (inclusive). */
  totals(userId: string, sinceIso: string, operation?: UsageOperation): Promise<UsageCounts>;
  recent(userId: string, limit: number): Promise<UsageEvent[]>;
  /** The user's events with `sinceIso <= at < untilIso`, oldest first (exports, idempotent imports). */
  history(userId: string, sinceIso: string, untilIso: string): Promise<UsageEvent[]>;
  /** Deletes every event before `beforeIso` (retention); how many went. */
  prune(beforeIso: string): Promise<number>;
}
