/** How bad a tracked error or an alert is (issue 9): critical for service-unavailable and internal errors,
 * high for other 5xx and quota failures, medium otherwise. */
export type Severity = 'critical' | 'high' | 'medium';

/** One thing an operator should hear about: a high/critical error, a DLQ arrival, an alarm that starts or clears. */
export interface AlertEvent {
  kind: 'error' | 'dlq' | 'alarm';
  severity: Severity;
  /** Deduplication key: one notification per fingerprint per window (the notifier counts what it suppressed). */
  fingerprint: string;
  /** One line, readable alone (Slack `text`, ntfy title). */
  title: string;
  /** Longer text, optional. */
  text?: string;
  /** Structured fields (request id, job id, alarm value and threshold, ...). */
  fields?: Record<string, string | number | boolean | null>;
}

/**
 * Where alerts go, as an administrator may see it (GET /api/admin/alerts): never a secret. A webhook
 * shows its host only (the path and query of a Slack or ntfy URL are the credential); an SNS topic its
 * ARN and its subscriptions by protocol, pending confirmation counted apart.
 */
export type AlertTarget =
  | { kind: 'webhook'; host: string }
  | { kind: 'sns'; topic_arn: string; subscriptions: { protocol: string; confirmed: number; pending: number }[] | null; subscriptions_error?: string };

/** Sends alerts (a webhook locally, SNS on AWS). Fire and forget: never throws, never blocks the caller. */
export interface Notifier {
  notify(event: AlertEvent): void;
  /** Where this notifier delivers (the admin alerts route); absent: it sends nowhere. */
  target?(): Promise<AlertTarget>;
  /** Waits until queued deliveries are done (shutdown, tests). */
  flush?(): Promise<void>;
}

/** Sends nothing: no AlertWebhookUrl, or error handling off. */
export const noNotifier: Notifier = { notify() {} };
