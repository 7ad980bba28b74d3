import { AlertThrottle, ALERT_WINDOW_MS } from './alert-throttle.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { AlertEvent, Severity } from '../ports/notifier.js';

/** What every transport's queued alert carries: enough to log it, and the drop count that rides on it. */
export interface QueuedAlert {
  kind: AlertEvent['kind'];
  fingerprint: string;
  /** Alerts of any fingerprint dropped because the queue was full, since the previous delivery. */
  dropped_count: number;
}

/** The structured fields every transport sends (the webhook's JSON; the JSON SNS gives SQS, Lambda and HTTPS subscribers). */
export interface StructuredAlert extends QueuedAlert {
  severity: Severity;
  fields: Record<string, string | number | boolean | null>;
  /** Alerts of this fingerprint not sent since the previous one (deduplication window). */
  suppressed_count: number;
  service: string;
  environment: string;
  timestamp: string;
}

export interface AlertQueueOptions<A extends QueuedAlert> {
  logger: Logger;
  clock: Clock;
  /** One alert per fingerprint per window (AlertThrottle). */
  windowMs?: number;
  /** Alerts waiting at most; past it the oldest is dropped (and counted). */
  maxQueue?: number;
  /** flush() gives up after this (a shutdown or a Lambda must not hang on a dead receiver). */
  flushTimeoutMs?: number;
  /** The transport's alert for an admitted event; `suppressed` alerts of its fingerprint were not sent since the last one. */
  build: (event: AlertEvent, suppressed: number) => A;
  /** Sends one alert (its dropped_count already includes the drops since the last delivery); throws when it was not delivered. */
  deliver: (alert: A) => Promise<void>;
  /** Log messages: an alert given up, and alerts still waiting when flush() times out. */
  messages: { failed: string; flushTimeout: string };
}

/**
 * The transport-neutral half of a Notifier: one alert per fingerprint per window (15 min by default),
 * a bounded queue (oldest dropped and counted; the count rides on the next delivery), delivery in the
 * background one at a time, and flush() with a deadline. notify() never throws and never waits.
 */
export class AlertQueue<A extends QueuedAlert> {
  readonly stats = { queued: 0, sent: 0, failed: 0, dropped: 0, suppressed: 0 };
  private readonly queue: A[] = [];
  private sending: Promise<void> | null = null;
  private droppedSinceDelivery = 0;
  private readonly throttle: AlertThrottle;

  constructor(private readonly opts: AlertQueueOptions<A>) {
    this.throttle = new AlertThrottle(opts.clock, opts.windowMs ?? ALERT_WINDOW_MS);
  }

  notify(event: AlertEvent): void {
    try {
      const verdict = this.throttle.admit(event.fingerprint);
      if (!verdict.send) {
        this.stats.suppressed++;
        return;
      }
      this.queue.push(this.opts.build(event, verdict.suppressed));
      this.stats.queued++;
      if (this.queue.length > (this.opts.maxQueue ?? 100)) {
        const lost = this.queue.shift()!;
        this.stats.dropped++;
        this.droppedSinceDelivery++;
        this.opts.logger.warn({ fingerprint: lost.fingerprint, dropped: this.stats.dropped }, 'alert queue full: oldest alert dropped');
      }
      this.pump();
    } catch (e) {
      this.opts.logger.warn({ err: e }, 'alert not queued');
    }
  }

  /** Waits for queued alerts to be delivered (or given up), at most flushTimeoutMs. */
  async flush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.opts.flushTimeoutMs ?? 5000)));
    const drained = (async () => {
      while (this.sending) await this.sending;
      return 'drained' as const;
    })();
    const outcome = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.opts.logger.warn({ pending: this.queue.length + 1 }, this.opts.messages.flushTimeout);
  }

  private pump(): void {
    if (this.sending) return;
    this.sending = (async () => {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.deliver(next);
    })().finally(() => {
      this.sending = null;
      if (this.queue.length > 0) this.pump();
    });
  }

  private async deliver(alert: A): Promise<void> {
    const dropped = this.droppedSinceDelivery;
    try {
      await this.opts.deliver({ ...alert, dropped_count: alert.dropped_count + dropped });
      this.stats.sent++;
      this.droppedSinceDelivery -= dropped;
    } catch (e) {
      this.stats.failed++;
      this.opts.logger.warn({ err: e, fingerprint: alert.fingerprint, kind: alert.kind }, this.opts.messages.failed);
    }
  }
}
