/**
 * Quota counters in the usage table (docs/decisions/0019): ONE item per user and UTC month,
 *   pk COUNTERS#<userId>  sk MONTH#<yyyy-mm>
 *   mCount, mCost                 the month's totals
 *   dCount_<dd>, dCost_<dd>       each day's totals, in the same item (31 days at most: < 1 KB)
 *   expires_at                    a day after the month ends (TTL)
 * Because the day and its month live in one item, check-and-count is ONE conditional UpdateItem
 * (`ADD` on both, `ConditionExpression` on both limits): DynamoDB applies writes to one item one at a
 * time, so N parallel requests with k left let exactly k through, whatever the number of Lambdas.
 * Numbers are DynamoDB decimals: costs add up exactly, with no float drift.
 * Costs: checkAndCount and add = 1 WRU; read = 1 RRU (strongly consistent); a refusal costs its
 * failed write (1 WRU) plus one read for the totals it reports.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PeriodTotals, UsageCounters, UsageLimits, UsageTotals } from '../../core/ports/usage-counters.js';
import { usagePeriods } from '../../core/usage/usage-periods.js';
import { conditionFailed, epochSeconds, live, type Item } from './dynamodb-items.js';

const DAY_S = 86_400;

export class DynamoDbUsageCounters implements UsageCounters {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async checkAndCount(userId: string, limits: UsageLimits, at: Date, costEur = 0): Promise<UsageTotals & { allowed: boolean }> {
    const checks: string[] = [];
    const values: Item = {};
    if (limits.daily > 0) (checks.push('(attribute_not_exists(#dc) OR #dc < :dl)'), (values[':dl'] = limits.daily));
    if (limits.monthly > 0) (checks.push('(attribute_not_exists(mCount) OR mCount < :ml)'), (values[':ml'] = limits.monthly));
    try {
      const totals = await this.update(userId, at, { count: 1, costEur }, checks.join(' AND ') || undefined, values);
      return { allowed: true, ...totals };
    } catch (e) {
      if (!conditionFailed(e)) throw e;
      return { allowed: false, ...(await this.read(userId, at)) };
    }
  }

  add(userId: string, at: Date, delta: PeriodTotals): Promise<UsageTotals> {
    return this.update(userId, at, delta, undefined, {});
  }

  async read(userId: string, at: Date): Promise<UsageTotals> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(userId, at), ConsistentRead: true }));
    return totalsOf(r.Item && live(r.Item, at) ? r.Item : {}, at);
  }

  private async update(userId: string, at: Date, delta: PeriodTotals, condition: string | undefined, values: Item): Promise<UsageTotals> {
    const dd = at.toISOString().slice(8, 10);
    const r = await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key(userId, at),
        UpdateExpression: 'ADD mCount :n, mCost :c, #dc :n, #dx :c SET expires_at = :ttl',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#dc': `dCount_${dd}`, '#dx': `dCost_${dd}` },
        ExpressionAttributeValues: { ...values, ':n': delta.count, ':c': delta.costEur, ':ttl': epochSeconds(usagePeriods(at).monthEndsAt) + DAY_S },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return totalsOf(r.Attributes ?? {}, at);
  }
}

const key = (userId: string, at: Date) => ({ pk: `COUNTERS#${userId}`, sk: `MONTH#${usagePeriods(at).month}` });

function totalsOf(item: Item, at: Date): UsageTotals {
  const dd = at.toISOString().slice(8, 10);
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return {
    day: { count: n(item[`dCount_${dd}`]), costEur: n(item[`dCost_${dd}`]) },
    month: { count: n(item.mCount), costEur: n(item.mCost) },
  };
}
