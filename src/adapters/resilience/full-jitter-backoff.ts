import { ExponentialBackoff, noJitterGenerator, type GeneratorFn } from 'cockatiel';

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): the n-th back-off is uniform in
 * [0, min(max, base * 2^n)). cockatiel ships the same formula (fullJitterGenerator); this one takes the
 * random source so the bounds can be tested exactly.
 */
const fullJitter =
  (random: () => number = Math.random): GeneratorFn<number> =>
  (state, options) => {
    const [cap, next] = noJitterGenerator(state, options);
    return [Math.floor(random() * cap), next];
  };

/** cockatiel's exponential back-off from `baseMs`, capped at `maxMs`, with full jitter: the one every retry policy here uses. */
export const fullJitterExponentialBackoff = (baseMs: number, maxMs: number, random?: () => number) =>
  new ExponentialBackoff({ initialDelay: baseMs, maxDelay: maxMs, generator: fullJitter(random) });

/**
 * Wait before the next attempt after `failedAttempts` failures: exponential from `baseMs`, capped
 * at `maxMs`, with full jitter (uniform in [0, min(maxMs, baseMs × 2^(n-1)))).
 * Stateless in the attempt number, so a job retried by another process or after a restart waits
 * as long as it would have in this one.
 */
export function fullJitterBackoff(baseMs: number, maxMs: number): (failedAttempts: number) => number {
  const factory = fullJitterExponentialBackoff(baseMs, maxMs);
  return (failedAttempts) => {
    let step = factory.next();
    for (let n = 1; n < failedAttempts; n++) step = step.next(undefined);
    return step.duration;
  };
}
