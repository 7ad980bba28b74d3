import type { UsageOperation } from '../model/types.js';

/** Cost and count of one operation (query, transcribe, upload) in a period. */
export interface CostLine {
  operation: UsageOperation;
  count: number;
  costEur: number;
}

/**
 * Cost tracking by user and by operation (issue 9, item 10): what `GET /api/user/usage` reports as
 * `daily_costs`/`monthly_costs`, and the admin total per day behind the DailyCostThreshold alarm and the
 * dashboard. Written where usage is recorded; reads are constant time in a user's history.
 */
export interface CostLedger {
  /** Per-operation totals of one user for the UTC day and the UTC month of `at`. */
  userTotals(userId: string, at: Date): Promise<{ day: CostLine[]; month: CostLine[] }>;
  /** Every user's per-operation totals per UTC day, `fromDay`..`toDay` inclusive (YYYY-MM-DD). */
  dailyTotals(fromDay: string, toDay: string): Promise<Array<CostLine & { day: string }>>;
}
