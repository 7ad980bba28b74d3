import { handleWhen, retry, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import { AlertQueue, type StructuredAlert } from '../../core/ops/alert-queue.js';
import { ALERT_WINDOW_MS } from '../../core/ops/alert-throttle.js';
import { fullJitterExponentialBackoff } from '../resilience/full-jitter-backoff.js';
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
export interface WebhookPayload extends StructuredAlert {
  text: string;
  title: string;
  message: string;
  priority: number;
  tags: string[];
  topic?: string;
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
 * Alerts as a JSON POST to AlertWebhookUrl. notify() only queues (AlertQueue: one alert per fingerprint
 * per 15 minutes, bounded, oldest dropped and counted): delivery runs in the background, one at a time,
 * each retried (cockatiel: retry with full-jitter backoff around a per-attempt timeout).
 */
export class WebhookNotifier implements Notifier {
  private readonly alerts: AlertQueue<WebhookPayload>;
  private attempts = 0;
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
    this.post = opts.fetch ?? fetch;
    const retries = retry(
      handleWhen((e) => !(e instanceof DeliveryError) || e.retryable),
      { maxAttempts: Math.max(0, opts.attempts - 1), backoff: fullJitterExponentialBackoff(opts.baseDelayMs, opts.maxDelayMs) },
    );
    this.policy = wrap(retries, timeout(opts.timeoutMs, TimeoutStrategy.Aggressive));
    this.alerts = new AlertQueue({
      logger: opts.logger,
      clock: this.clock,
      windowMs: opts.windowMs,
      maxQueue: opts.maxQueue,
      flushTimeoutMs: opts.flushTimeoutMs,
      build: (event, suppressed) => this.payload(event, suppressed),
      deliver: (payload) => this.deliver(payload),
      messages: { failed: 'alert not delivered', flushTimeout: 'alerts still undelivered at shutdown' },
    });
  }

  get stats() {
    return { ...this.alerts.stats, attempts: this.attempts };
  }

  notify(event: AlertEvent): void {
    this.alerts.notify(event);
  }

  /** Waits for queued alerts to be delivered (or given up), at most flushTimeoutMs. */
  flush(): Promise<void> {
    return this.alerts.flush();
  }

  private async deliver(payload: WebhookPayload): Promise<void> {
    const body = JSON.stringify(payload);
    await this.policy.execute(async ({ signal }) => {
      this.attempts++;
      const res = await this.post(this.opts.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'manuel-alerts' }, body, signal });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new DeliveryError(res.status);
    });
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
