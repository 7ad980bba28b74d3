import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { UsageRepo } from '../ports/usage-repo.js';

const DAY_MS = 86_400_000;

/** Deletes usage events older than `retentionDays` (UsageDataRetentionDays). Quotas do not read them. */
export async function pruneUsageHistory(deps: { usage: UsageRepo; clock: Clock; logger: Logger }, retentionDays: number): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - retentionDays * DAY_MS).toISOString();
  const deleted = await deps.usage.prune(before);
  if (deleted > 0) deps.logger.info({ deleted, before }, 'usage history pruned');
  return deleted;
}

/** Prunes now and then once a day; the timer does not keep the process alive. Returns a stop function. */
export function scheduleUsagePruning(deps: { usage: UsageRepo; clock: Clock; logger: Logger }, retentionDays: number): () => void {
  const run = () => pruneUsageHistory(deps, retentionDays).catch((e: unknown) => deps.logger.warn({ err: e }, 'usage pruning failed'));
  void run();
  const timer = setInterval(run, DAY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
