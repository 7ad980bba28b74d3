import { ExponentialBackoff, fullJitterGenerator } from 'cockatiel';

/**
 * Wait before the next attempt after `failedAttempts` failures: exponential from `baseMs`, capped
 * at `maxMs`, with full jitter (uniform in [0, min(maxMs, baseMs × 2^(n-1))), cockatiel's generator).
 * Stateless in the attempt number, so a job retried by another process or after a restart waits
 * as long as it would have in this one.
 */
export function fullJitterBackoff(baseMs: number, maxMs: number): (failedAttempts: number) => number {
  const factory = new ExponentialBackoff({ initialDelay: baseMs, maxDelay: maxMs, generator: fullJitterGenerator });
  return (failedAttempts) => {
    let step = factory.next();
    for (let n = 1; n < failedAttempts; n++) step = step.next(undefined);
    return step.duration;
  };
}
