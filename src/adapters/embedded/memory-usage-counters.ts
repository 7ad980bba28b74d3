import type { PeriodTotals, UsageCounters, UsageLimits, UsageTotals } from '../../core/ports/usage-counters.js';
import { usagePeriods, withinLimit } from '../../core/usage/usage-periods.js';

/** Counters in one process (tests, and a fallback): a JS turn is atomic, so check-and-count needs no lock. */
export class MemoryUsageCounters implements UsageCounters {
  private readonly totals = new Map<string, PeriodTotals>();

  async checkAndCount(userId: string, limits: UsageLimits, at: Date, costEur = 0) {
    const now = this.readNow(userId, at);
    const allowed = withinLimit(now.day.count, limits.daily) && withinLimit(now.month.count, limits.monthly);
    return { allowed, ...(allowed ? this.addNow(userId, at, { count: 1, costEur }) : now) };
  }

  async add(userId: string, at: Date, delta: PeriodTotals): Promise<UsageTotals> {
    return this.addNow(userId, at, delta);
  }

  async read(userId: string, at: Date): Promise<UsageTotals> {
    return this.readNow(userId, at);
  }

  private readNow(userId: string, at: Date): UsageTotals {
    const p = usagePeriods(at);
    const get = (k: string) => ({ ...(this.totals.get(`${userId}\n${k}`) ?? { count: 0, costEur: 0 }) });
    return { day: get(p.day), month: get(p.month) };
  }

  private addNow(userId: string, at: Date, delta: PeriodTotals): UsageTotals {
    const p = usagePeriods(at);
    for (const k of [p.day, p.month]) {
      const t = this.totals.get(`${userId}\n${k}`) ?? { count: 0, costEur: 0 };
      this.totals.set(`${userId}\n${k}`, { count: t.count + delta.count, costEur: t.costEur + delta.costEur });
    }
    return this.readNow(userId, at);
  }
}
