/** Count and cost of the quota operations in one UTC day or month. */
export interface PeriodTotals {
  count: number;
  costEur: number;
}

export interface UsageTotals {
  day: PeriodTotals;
  month: PeriodTotals;
}

/** A limit of 0 means no limit. */
export interface UsageLimits {
  daily: number;
  monthly: number;
}

/**
 * Per-user counters of the current UTC day and month: what quota checks and usage_info read, in constant
 * time whatever the user's history. The raw event log (UsageRepo) stays for history only.
 */
export interface UsageCounters {
  /**
   * In one atomic step: when one more operation stays within both limits, count it (with its cost) and
   * return allowed with the totals after; otherwise count nothing and return the totals as they are.
   */
  checkAndCount(userId: string, limits: UsageLimits, at: Date, costEur?: number): Promise<UsageTotals & { allowed: boolean }>;
  /** Adds without a check: a cost known only after answering, or -1 to give back a count whose answer failed. */
  add(userId: string, at: Date, delta: PeriodTotals): Promise<UsageTotals>;
  read(userId: string, at: Date): Promise<UsageTotals>;
}
