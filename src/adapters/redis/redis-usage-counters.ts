import type { Redis } from 'ioredis';
import type { PeriodTotals, UsageCounters, UsageLimits, UsageTotals } from '../../core/ports/usage-counters.js';
import { usagePeriods } from '../../core/usage/usage-periods.js';

// KEYS: day hash, month hash. ARGV: daily limit, monthly limit (0 = none), count, cost, check (1/0),
// day ttl, month ttl (seconds). One script = one atomic step on the server, whatever the number of processes.
const SCRIPT = `
local dc = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local mc = tonumber(redis.call('HGET', KEYS[2], 'count') or '0')
local allowed = 1
if ARGV[5] == '1' then
  local dl, ml = tonumber(ARGV[1]), tonumber(ARGV[2])
  if (dl > 0 and dc >= dl) or (ml > 0 and mc >= ml) then allowed = 0 end
end
if allowed == 1 and (tonumber(ARGV[3]) ~= 0 or tonumber(ARGV[4]) ~= 0) then
  dc = redis.call('HINCRBY', KEYS[1], 'count', ARGV[3])
  mc = redis.call('HINCRBY', KEYS[2], 'count', ARGV[3])
  redis.call('HINCRBYFLOAT', KEYS[1], 'cost', ARGV[4])
  redis.call('HINCRBYFLOAT', KEYS[2], 'cost', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return {allowed, dc, redis.call('HGET', KEYS[1], 'cost') or '0', mc, redis.call('HGET', KEYS[2], 'cost') or '0'}
`;

type Reply = [number, number, string, number, string];
type WithCounters = Redis & { usageCount(day: string, month: string, ...args: (string | number)[]): Promise<Reply> };

/** Day and month hashes per user; they expire a day after their period ends (history is the event log). */
export class RedisUsageCounters implements UsageCounters {
  private readonly redis: WithCounters;

  constructor(redis: Redis) {
    if (!('usageCount' in redis)) redis.defineCommand('usageCount', { numberOfKeys: 2, lua: SCRIPT });
    this.redis = redis as WithCounters;
  }

  async checkAndCount(userId: string, limits: UsageLimits, at: Date, costEur = 0) {
    const r = await this.run(userId, at, { count: 1, costEur }, limits);
    return { allowed: r[0] === 1, ...totals(r) };
  }

  async add(userId: string, at: Date, delta: PeriodTotals): Promise<UsageTotals> {
    return totals(await this.run(userId, at, delta, null));
  }

  async read(userId: string, at: Date): Promise<UsageTotals> {
    return totals(await this.run(userId, at, { count: 0, costEur: 0 }, null));
  }

  private run(userId: string, at: Date, delta: PeriodTotals, limits: UsageLimits | null): Promise<Reply> {
    const p = usagePeriods(at);
    const ttl = (end: Date) => Math.max(60, Math.ceil((end.getTime() - at.getTime()) / 1000) + 86_400);
    return this.redis.usageCount(
      `usage:${userId}:d:${p.day}`,
      `usage:${userId}:m:${p.month}`,
      limits?.daily ?? 0,
      limits?.monthly ?? 0,
      delta.count,
      delta.costEur.toFixed(12),
      limits ? '1' : '0',
      ttl(p.dayEndsAt),
      ttl(p.monthEndsAt),
    );
  }
}

const totals = (r: Reply): UsageTotals => ({
  day: { count: Number(r[1]), costEur: Number(r[2]) },
  month: { count: Number(r[3]), costEur: Number(r[4]) },
});
