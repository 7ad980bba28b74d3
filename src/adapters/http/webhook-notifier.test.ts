import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock, MemoryLogger } from '../../../test/helpers/fakes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver.js';
import type { AlertEvent } from '../../core/ports/notifier.js';
import { WebhookNotifier, type WebhookNotifierOptions } from './webhook-notifier.js';

const alert = (fingerprint = 'fp-1', o: Partial<AlertEvent> = {}): AlertEvent => ({
  kind: 'error',
  severity: 'critical',
  fingerprint,
  title: 'CRITICAL: internal_error in GET /api/manuals',
  text: 'TypeError: <str> at <path>',
  fields: { request_id: 'req-1', count: 3 },
  ...o,
});

describe('WebhookNotifier', () => {
  const receivers: WebhookReceiver[] = [];
  after(async () => {
    for (const r of receivers) await r.close();
  });
  const receiver = async (...a: Parameters<typeof startWebhookReceiver>) => {
    const r = await startWebhookReceiver(...a);
    receivers.push(r);
    return r;
  };
  const notifier = (url: string, o: Partial<WebhookNotifierOptions> = {}) => {
    const logger = new MemoryLogger();
    const clock = new ManualClock();
    const n = new WebhookNotifier({ url, environment: 'test', logger, clock, attempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, ...o });
    return { n, logger, clock };
  };

  it('posts one JSON readable by Slack (text) and ntfy (title, message, priority, tags, topic), with the structured fields', async () => {
    const r = await receiver();
    const { n } = notifier(`${r.url}?topic=manuel-alerts`);
    n.notify(alert());
    await n.flush();
    assert.equal(r.delivered.length, 1);
    const { body, headers } = r.delivered[0]!;
    assert.equal(headers['content-type'], 'application/json');
    assert.match(body.text, /^\[CRITICAL\] manuel \(test\): CRITICAL: internal_error in GET \/api\/manuals\nTypeError: &lt;str&gt; at &lt;path&gt;$/);
    assert.equal(body.title, 'manuel (test): CRITICAL: internal_error in GET /api/manuals');
    assert.equal(body.message, 'TypeError: <str> at <path>');
    assert.equal(body.priority, 5);
    assert.deepEqual(body.tags, ['rotating_light', 'error']);
    assert.equal(body.topic, 'manuel-alerts');
    assert.equal(body.kind, 'error');
    assert.equal(body.severity, 'critical');
    assert.equal(body.fingerprint, 'fp-1');
    assert.deepEqual(body.fields, { request_id: 'req-1', count: 3 });
    assert.equal(body.suppressed_count, 0);
    assert.equal(body.dropped_count, 0);
    assert.equal(body.service, 'manuel');
    assert.equal(body.environment, 'test');
    assert.equal(body.timestamp, '2025-03-10T12:00:00.000Z');
  });

  it('sends one alert per fingerprint per 15 minutes; the next one carries the suppressed count', async () => {
    const r = await receiver();
    const { n, clock } = notifier(r.url);
    for (let i = 0; i < 5; i++) n.notify(alert('same'));
    n.notify(alert('other', { severity: 'high' }));
    await n.flush();
    assert.deepEqual(r.delivered.map((d) => [d.body.fingerprint, d.body.suppressed_count]), [['same', 0], ['other', 0]]);
    clock.advance(14 * 60_000);
    n.notify(alert('same'));
    await n.flush();
    assert.equal(r.delivered.length, 2, 'still inside the window');
    clock.advance(60_000);
    n.notify(alert('same'));
    await n.flush();
    assert.equal(r.delivered.length, 3);
    assert.equal(r.delivered[2]!.body.suppressed_count, 5);
    assert.match(r.delivered[2]!.body.message, /5 more like this in the last 15 min/);
    assert.equal(n.stats.suppressed, 5);
  });

  it('retries a receiver that fails twice, then delivers once', async () => {
    const r = await receiver((k) => (k <= 2 ? 503 : 200));
    const { n } = notifier(r.url);
    n.notify(alert());
    await n.flush();
    assert.equal(r.attempts.length, 3);
    assert.equal(r.delivered.length, 1);
    assert.deepEqual(n.stats, { queued: 1, sent: 1, failed: 0, dropped: 0, suppressed: 0, attempts: 3 });
  });

  it('gives up after MaxRetryAttempts, and does not retry a 4xx that cannot change', async () => {
    const down = await receiver(() => 500);
    const a = notifier(down.url);
    a.n.notify(alert());
    await a.n.flush();
    assert.equal(down.attempts.length, 3);
    assert.equal(a.n.stats.failed, 1);
    assert.ok(a.logger.lines.some((l) => l.msg === 'alert not delivered'));

    const wrong = await receiver(() => 404);
    const b = notifier(wrong.url);
    b.n.notify(alert());
    await b.n.flush();
    assert.equal(wrong.attempts.length, 1);
    assert.equal(b.n.stats.failed, 1);
  });

  it('a receiver that never answers: notify returns at once, each attempt times out, the queue stays bounded and counts drops', async () => {
    const r = await receiver(() => 'hang');
    const { n } = notifier(r.url, { timeoutMs: 150, attempts: 2, maxQueue: 3 });
    for (let i = 0; i < 10; i++) n.notify(alert(`fp-${i}`));
    // notify() only queued: nothing was awaited, the first delivery is in flight, 3 wait, 6 were dropped.
    assert.equal(n.stats.dropped, 6);
    assert.equal(n.stats.sent + n.stats.failed, 0);
    await n.flush();
    assert.equal(n.stats.failed, 4);
    assert.equal(r.attempts.length, 8, 'two attempts per alert, each cut by the timeout');
    r.script = () => 200;
    n.notify(alert('after'));
    await n.flush();
    assert.equal(r.delivered.length, 1);
    assert.equal(r.delivered[0]!.body.dropped_count, 6, 'the next delivery tells how many were dropped');
    n.notify(alert('later'));
    await n.flush();
    assert.equal(r.delivered[1]!.body.dropped_count, 0);
  });

  it('flush() gives up after its timeout rather than hang a shutdown', async () => {
    const r = await receiver(() => 'hang');
    const { n, logger } = notifier(r.url, { timeoutMs: 60_000, flushTimeoutMs: 100 });
    n.notify(alert());
    await n.flush();
    assert.ok(logger.lines.some((l) => l.msg === 'alerts still undelivered at shutdown'));
  });

  it('refuses a URL that is not http(s)', () => {
    assert.throws(() => notifier('ftp://example.test/x'), /http/);
    assert.throws(() => notifier('not a url'));
  });
});
