import type { Logger } from '../../core/ports/logger.js';

/**
 * Logs the first failure of an outage and the recovery, not every failed command: a cache that is down
 * for a minute under load must not write thousands of lines.
 */
export class OutageLog {
  private down = false;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.warn({ err: { message: (err as Error)?.message } }, `${this.what} unavailable; working without it until Redis answers again`);
  }

  ok(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info(`${this.what} available again`);
  }

  /**
   * Runs a Redis call, noting failure and recovery; rethrows so the caller decides what to fall back
   * to. On every cached answer's path: a plain then, not an async function around an await.
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return promiseOf(fn).then(
      (v) => {
        this.ok();
        return v;
      },
      (e: unknown) => {
        this.failed(e);
        throw e;
      },
    );
  }
}

/**
 * `fn()`, with a synchronous throw turned into a rejection, as an `async` wrapper would do, without
 * the wrapper's extra promises (the Redis paths every cached answer takes; ADR 0037).
 */
export function promiseOf<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (e) {
    return Promise.reject(e);
  }
}
