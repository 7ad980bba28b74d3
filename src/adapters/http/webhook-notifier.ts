import { ExponentialBackoff, fullJitterGenerator, handleWhen, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { AlertThrottle, ALERT_WINDOW_MS } from '../../core/ops/alert-throttle.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import type { AlertTarget, AlertEvent, Notifier, Severity } from '../../core/ports/notifier.js';

export interface WebhookNotifierOptions {
  /** AlertWebhookUrl: set by the operator, so any http(s) address is fine, loopback included. */
  url: string;
  environment: string;
  logger: Logger;
  /** Attempts per alert, the first included (MaxRetryAttempts); full-jitter exponential backoff between them. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per attempt: connect, send and answer within this. */
  timeoutMs: number;
  clock?: Clock;
  /** Alerts waiting at most; past it the oldest is dropped (and counted). */
  maxQueue?: number;
  windowMs?: number;
  /** flush() gives up after this (shutdown must not hang on a dead receiver). */
  flushTimeoutMs?: number;
  fetch?: typeof fetch;
}

/** The JSON posted: Slack-compatible (`text`), ntfy-style (`title`, `message`, `priority`, `tags`, `topic`), and structured. */
export interface WebhookPayload {
  text: string;
  title: string;
  message: string;
  priority: number;
  tags: string[];
  topic?: string;
  kind: AlertEvent['kind'];
  severity: Severity;
  fingerprint: string;
  fields: Record<string, string | number | boolean | null>;
  /** Alerts of this fingerprint not sent since the previous one (deduplication window). */
  suppressed_count: number;
  /** Alerts of any fingerprint dropped because the queue was full, since the previous delivery. */
  dropped_count: number;
  service: string;
  environment: string;
  timestamp: string;
}

const PRIORITY: Record<Severity, number> = { critical: 5, high: 4, medium: 3 };
const TAG: Record<Severity, string> = { critical: 'rotating_light', high: 'warning', medium: 'information_source' };
/** Slack reads `<...>` as a link and `&` as an entity: escape them in `text` (ntfy's `message` stays plain). */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

class DeliveryError extends Error {
  constructor(readonly status: number) {
    super(`webhook answered ${status}`);
  }
  /** A 4xx other than 408/429 will not change on a retry (wrong URL, rejected payload). */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/**
 * Alerts as a JSON POST to AlertWebhookUrl. notify() only queues: delivery runs in the background, one
 * at a time, each retried (cockatiel: retry with full-jitter backoff around a per-attempt timeout).
 * One alert per fingerprint per 15 minutes; the queue is bounded (oldest dropped, counted).
 */
export class WebhookNotifier implements Notifier {
  readonly stats = { queued: 0, sent: 0, failed: 0, dropped: 0, suppressed: 0, attempts: 0 };
  private readonly queue: WebhookPayload[] = [];
  private sending: Promise<void> | null = null;
  private droppedSinceDelivery = 0;
  private readonly throttle: AlertThrottle;
  private readonly clock: Clock;
  private readonly topic: string | undefined;
  private readonly policy;
  private readonly post: typeof fetch;

  async target(): Promise<AlertTarget> {
    return { kind: 'webhook', host: new URL(this.opts.url).host };
  }

  constructor(private readonly opts: WebhookNotifierOptions) {
    const url = new URL(opts.url); // throws on a malformed URL: at start-up, not at the first alert
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`AlertWebhookUrl must be http(s), not ${url.protocol}`);
    // ntfy's JSON publishing posts to the server root with the topic in the body: `https://ntfy.example/?topic=alerts`.
    this.topic = url.searchParams.get('topic') ?? undefined;
    this.clock = opts.clock ?? systemClock;
    this.throttle = new AlertThrottle(this.clock, opts.windowMs ?? ALERT_WINDOW_MS);
    this.post = opts.fetch ?? fetch;
    const retries = retry(
      handleWhen((e) => !(e instanceof DeliveryError) || e.retryable),
      {
        maxAttempts: Math.max(0, opts.attempts - 1),
        backoff: new ExponentialBackoff({ initialDelay: opts.baseDelayMs, maxDelay: opts.maxDelayMs, generator: fullJitterGenerator }),
      },
    );
    this.policy = wrap(retries, timeout(opts.timeoutMs, TimeoutStrategy.Aggressive));
  }

  notify(event: AlertEvent): void {
    try {
      const verdict = this.throttle.admit(event.fingerprint);
      if (!verdict.send) {
        this.stats.suppressed++;
        return;
      }
      this.queue.push(this.payload(event, verdict.suppressed));
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
    if (outcome === 'timeout') this.opts.logger.warn({ pending: this.queue.length + 1 }, 'alerts still undelivered at shutdown');
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

  private async deliver(payload: WebhookPayload): Promise<void> {
    const body = JSON.stringify({ ...payload, dropped_count: payload.dropped_count + this.droppedSinceDelivery });
    const dropped = this.droppedSinceDelivery;
    try {
      await this.policy.execute(async ({ signal }) => {
        this.stats.attempts++;
        const res = await this.post(this.opts.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'manuel-alerts' }, body, signal });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new DeliveryError(res.status);
      });
      this.stats.sent++;
      this.droppedSinceDelivery -= dropped;
    } catch (e) {
      this.stats.failed++;
      this.opts.logger.warn({ err: e, fingerprint: payload.fingerprint, kind: payload.kind }, 'alert not delivered');
    }
  }

  private payload(event: AlertEvent, suppressed: number): WebhookPayload {
    const env = this.opts.environment;
    const more = suppressed > 0 ? `\n(${suppressed} more like this in the last ${Math.round((this.opts.windowMs ?? ALERT_WINDOW_MS) / 60_000)} min, not sent)` : '';
    const message = `${event.text ?? event.title}${more}`;
    return {
      text: slackEscape(`[${event.severity.toUpperCase()}] manuel (${env}): ${event.title}${event.text ? `\n${event.text}` : ''}${more}`),
      title: `manuel (${env}): ${event.title}`,
      message,
      priority: PRIORITY[event.severity],
      tags: [TAG[event.severity], event.kind],
      ...(this.topic ? { topic: this.topic } : {}),
      kind: event.kind,
      severity: event.severity,
      fingerprint: event.fingerprint,
      fields: event.fields ?? {},
      suppressed_count: suppressed,
      dropped_count: 0,
      service: 'manuel',
      environment: env,
      timestamp: this.clock.now().toISOString(),
    };
  }
}
