import { ListSubscriptionsByTopicCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { AlertQueue, type StructuredAlert } from '../../core/ops/alert-queue.js';
import { ALERT_WINDOW_MS } from '../../core/ops/alert-throttle.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import type { AlertEvent, AlertTarget, Notifier } from '../../core/ports/notifier.js';

export interface SnsNotifierOptions {
  client: SNSClient;
  /** The alerts topic (AlertTopic in the template; AlertEmail is an email subscription on it). */
  topicArn: string;
  environment: string;
  logger: Logger;
  clock?: Clock;
  /** Alerts waiting at most; past it the oldest is dropped (and counted). */
  maxQueue?: number;
  windowMs?: number;
  /** flush() gives up after this (a Lambda must not spend its timeout on a slow SNS). */
  flushTimeoutMs?: number;
}

/** What subscribers that read JSON (SQS, Lambda, HTTPS) get: the fields of the webhook's payload. */
export interface SnsAlertPayload extends StructuredAlert {
  title: string;
  text: string | null;
}

/** SNS subjects: at most 100 printable ASCII characters, no line breaks (else Publish fails). */
export function snsSubject(s: string): string {
  const ascii = s.normalize('NFKD').replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '').trim();
  return (ascii.length > 100 ? `${ascii.slice(0, 97)}...` : ascii) || 'manuel alert';
}

/**
 * Alerts published to the SNS topic: one alert per fingerprint per 15 minutes, a bounded queue,
 * delivery in the background, one at a time (the same AlertQueue as the webhook notifier). The SDK
 * retries a publish itself (standard mode: 3 attempts with backoff). The message has a readable
 * text for email subscribers and the structured JSON for SQS/Lambda/HTTPS ones (MessageStructure
 * json), plus `severity` and `kind` message attributes for subscription filter policies.
 * On Lambda the throttle lives as long as the execution environment: each warm container alerts
 * once per fingerprint per window. The handler must `await flush()` before it returns.
 */
export class SnsNotifier implements Notifier {
  private readonly alerts: AlertQueue<SnsAlertPayload>;

  constructor(private readonly opts: SnsNotifierOptions) {
    if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/.test(opts.topicArn)) throw new Error(`not an SNS topic ARN: ${opts.topicArn}`);
    const clock = opts.clock ?? systemClock;
    this.alerts = new AlertQueue({
      logger: opts.logger,
      clock,
      windowMs: opts.windowMs,
      maxQueue: opts.maxQueue,
      flushTimeoutMs: opts.flushTimeoutMs,
      build: (event, suppressed) => ({
        kind: event.kind,
        severity: event.severity,
        fingerprint: event.fingerprint,
        title: event.title,
        text: event.text ?? null,
        fields: event.fields ?? {},
        suppressed_count: suppressed,
        dropped_count: 0,
        service: 'manuel',
        environment: opts.environment,
        timestamp: clock.now().toISOString(),
      }),
      deliver: (payload) => this.publish(payload),
      messages: { failed: 'alert not published', flushTimeout: 'alerts still unpublished at flush timeout' },
    });
  }

  get stats() {
    return { ...this.alerts.stats };
  }

  /**
   * The topic and its subscriptions by protocol (ListSubscriptionsByTopic: sns:ListSubscriptionsByTopic
   * on the topic). Endpoints are not shown (an e-mail address, an HTTPS URL with a token); an e-mail
   * subscription nobody confirmed yet receives nothing and is counted as pending. When the call is
   * refused, the topic is still shown, with the reason instead of the subscriptions.
   */
  async target(): Promise<AlertTarget> {
    const byProtocol = new Map<string, { protocol: string; confirmed: number; pending: number }>();
    try {
      let next: string | undefined;
      do {
        const page = await this.opts.client.send(new ListSubscriptionsByTopicCommand({ TopicArn: this.opts.topicArn, NextToken: next }));
        for (const sub of page.Subscriptions ?? []) {
          const protocol = sub.Protocol ?? 'unknown';
          const entry = byProtocol.get(protocol) ?? { protocol, confirmed: 0, pending: 0 };
          if (sub.SubscriptionArn?.startsWith('arn:')) entry.confirmed++;
          else entry.pending++; // 'PendingConfirmation'
          byProtocol.set(protocol, entry);
        }
        next = page.NextToken;
      } while (next);
    } catch (e) {
      return { kind: 'sns', topic_arn: this.opts.topicArn, subscriptions: null, subscriptions_error: e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 200) : 'unknown error' };
    }
    return { kind: 'sns', topic_arn: this.opts.topicArn, subscriptions: [...byProtocol.values()].sort((a, b) => a.protocol.localeCompare(b.protocol)) };
  }

  notify(event: AlertEvent): void {
    this.alerts.notify(event);
  }

  flush(): Promise<void> {
    return this.alerts.flush();
  }

  private async publish(payload: SnsAlertPayload): Promise<void> {
    const text = emailText(payload, this.opts.windowMs ?? ALERT_WINDOW_MS);
    const json = JSON.stringify(payload);
    await this.opts.client.send(
      new PublishCommand({
        TopicArn: this.opts.topicArn,
        Subject: snsSubject(`[${payload.severity.toUpperCase()}] manuel (${payload.environment}): ${payload.title}`),
        MessageStructure: 'json',
        Message: JSON.stringify({ default: text, email: text, sqs: json, lambda: json, http: json, https: json }),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: payload.severity },
          kind: { DataType: 'String', StringValue: payload.kind },
        },
      }),
    );
  }
}

/** The body an email subscriber reads. */
export function emailText(p: SnsAlertPayload, windowMs: number): string {
  const lines = [`[${p.severity.toUpperCase()}] ${p.title}`, ''];
  if (p.text) lines.push(p.text, '');
  for (const [k, v] of Object.entries(p.fields)) lines.push(`${k}: ${v === null ? '-' : String(v)}`);
  if (p.suppressed_count > 0) lines.push('', `${p.suppressed_count} more like this in the last ${Math.round(windowMs / 60_000)} min, not sent.`);
  if (p.dropped_count > 0) lines.push(`${p.dropped_count} other alert(s) dropped (queue full).`);
  lines.push('', `manuel (${p.environment}) at ${p.timestamp}; fingerprint ${p.fingerprint}`);
  return lines.join('\n');
}
