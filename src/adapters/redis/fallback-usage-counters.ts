import type { Logger } from '../../core/ports/logger.js';
import type { PeriodTotals, UsageCounters, UsageLimits, UsageTotals } from '../../core/ports/usage-counters.js';
import { OutageLog } from './redis-outage-log.js';

/**
 * Redis counters, with the SQLite ones standing in while Redis is down or slow: questions keep being
 * answered and counted (in the database) instead of failing with the cache server. The price is that
 * counts made during an outage are not in Redis afterwards; see docs/decisions/0009.
 */
export class FallbackUsageCounters implements UsageCounters {
  private readonly outage: OutageLog;

  constructor(
    private readonly primary: UsageCounters,
    private readonly fallback: UsageCounters,
    logger: Logger,
  ) {
    this.outage = new OutageLog(logger.child({ component: 'usage-counters' }), 'Redis usage counters');
  }

  checkAndCount(userId: string, limits: UsageLimits, at: Date, costEur?: number) {
    return this.either((c) => c.checkAndCount(userId, limits, at, costEur));
  }

  add(userId: string, at: Date, delta: PeriodTotals): Promise<UsageTotals> {
    return this.either((c) => c.add(userId, at, delta));
  }

  read(userId: string, at: Date): Promise<UsageTotals> {
    return this.either((c) => c.read(userId, at));
  }

  private either<T>(call: (c: UsageCounters) => Promise<T>): Promise<T> {
    return this.outage.run(() => call(this.primary)).catch(() => call(this.fallback));
  }
}
