import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from '../commands/check-command.js';
import { CHECK_QUESTIONS, zipfPicker } from './check-manual.js';
import { isLoopbackHost } from './functional.js';
import { OpenApiDoc } from './openapi-check.js';
import { alertsRow, scrape } from './operational.js';
import { percentile, runLoad } from './performance.js';
import { failed } from './report.js';
import { forgedTokens, parsePolicies } from './security.js';
import type { CheckRun, CheckUser } from './check-types.js';

describe('manuel check parts', () => {
  it('reads durations and refuses silly ones', () => {
    assert.equal(parseDuration('60s'), 60_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1500ms'), 1500);
    assert.equal(parseDuration('5'), 5000);
    assert.throws(() => parseDuration('10ms'));
    assert.throws(() => parseDuration('2h'));
  });

  it('knows loopback hosts', () => {
    for (const h of ['localhost', '127.0.0.1', '127.3.4.5', '[::1]', 'app.localhost']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['10.0.0.1', 'example.com', '128.0.0.1', 'localhost.example.com']) assert.ok(!isLoopbackHost(h), h);
  });

  it('takes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 50), 50);
    assert.equal(percentile(xs, 95), 95);
    assert.equal(percentile(xs, 99), 99);
    assert.equal(percentile([], 95), null);
  });

  it('draws Zipf ranks: rank 1 about twice as often as rank 2', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const pick = zipfPicker(8, random);
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 20_000; i++) counts[pick()]++;
    assert.ok(Math.abs(counts[0] / counts[1] - 2) < 0.2, String(counts));
    assert.ok(counts[7] > 0);
  });

  it('parses RateLimit-Policy and a Prometheus exposition', () => {
    assert.deepEqual(parsePolicies('"ip";q=100;w=60, "user";q=50;w=60'), [
      { name: 'ip', q: 100, w: 60 },
      { name: 'user', q: 50, w: 60 },
    ]);
    assert.deepEqual(parsePolicies(null), []);
    assert.deepEqual(scrape('# HELP a x\n# TYPE a counter\na{b="c"} 3\na 1e3\nbad line here\n'), { families: 1, samples: 2, bad: 1 });
  });

  it('forges tokens a server must refuse: wrong key, alg none, an edited payload under the real signature', () => {
    const real = ['eyJhbGciOiJIUzI1NiJ9', Buffer.from('{"sub":"u1"}').toString('base64url'), 'c2lnbmF0dXJl'].join('.');
    const forged = forgedTokens({ id: 'u1', email: 'a@example.com', token: real, refreshToken: 'r' });
    assert.deepEqual(Object.keys(forged), ['wrong key', 'alg none', 'edited payload']);
    assert.equal(JSON.parse(Buffer.from(forged['alg none']!.split('.')[0]!, 'base64url').toString()).alg, 'none');
    assert.ok(forged['edited payload']!.endsWith('.c2lnbmF0dXJl'));
    assert.equal(JSON.parse(Buffer.from(forged['edited payload']!.split('.')[1]!, 'base64url').toString()).is_admin, true);
  });

  it('validates bodies against an OpenAPI 3.0 document, refs and nullable included', () => {
    const doc = new OpenApiDoc({
      openapi: '3.0.3',
      components: { schemas: { Thing: { type: 'object', properties: { id: { type: 'string' }, note: { type: 'string', nullable: true } }, required: ['id', 'note'] } } },
      paths: {
        '/api/things/{id}': { get: { security: [{ bearerAuth: [] }], responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } } } },
        '/metrics': { get: { security: [{ metricsToken: [] }], responses: {} } },
      },
    });
    const route = { method: 'GET', path: '/api/things/{id}' };
    assert.deepEqual(doc.validate(route, 200, { id: 'x', note: null }), []);
    assert.match(doc.validate(route, 200, { id: 3, note: null })[0]!, /^id: /);
    assert.deepEqual(doc.validate(route, 404, {}), ['status 404 not documented']);
    assert.equal(doc.mismatches.length, 2);
    assert.deepEqual(doc.protectedRoutes(), [route]);
  });

  it('fails the run on any failing row, never on n/a', () => {
    const r = (status: 'pass' | 'fail' | 'n/a') => ({ id: status, criterion: status, measured: '', status, reason: '' });
    assert.deepEqual(failed([r('pass'), r('n/a')]), []);
    assert.equal(failed([r('pass'), r('fail')]).length, 1);
  });
});

describe('alertsRow', () => {
  const alarms = [
    { name: 'ErrorRateThreshold', state: 'ok', threshold: 5, unit: '%', value: 0 },
    { name: 'DailyCostThreshold', state: 'alarm', threshold: 10, unit: 'EUR', value: 12 },
  ];
  it('passes with alarms and a webhook (host only) or an SNS topic with a confirmed subscription', () => {
    const web = alertsRow(alarms, { list: [{ kind: 'webhook', host: 'hooks.example.com' }] });
    assert.equal(web.status, 'pass');
    assert.equal(web.measured, '2 alarms, 1 firing (DailyCostThreshold) → webhook hooks.example.com');
    assert.equal(web.reason, 'ErrorRateThreshold 5 %, DailyCostThreshold 10 EUR');
    const sns = alertsRow(alarms, { list: [{ kind: 'sns', topic_arn: 'arn:aws:sns:eu-west-1:123456789012:manuel-alerts', subscriptions: [{ protocol: 'email', confirmed: 1, pending: 1 }] }] });
    assert.equal(sns.status, 'pass');
    assert.match(sns.measured, /→ SNS manuel-alerts \(email 1 \+ 1 pending\)$/);
  });
  it('fails with no alarm, no target, or a topic nobody confirmed; a server without the route is not verified', () => {
    assert.equal(alertsRow([], { list: [{ kind: 'webhook', host: 'h' }] }).status, 'fail');
    const nowhere = alertsRow(alarms, { list: [] });
    assert.deepEqual([nowhere.status, nowhere.measured], ['fail', '2 alarms, 1 firing (DailyCostThreshold) → nowhere']);
    const pending = alertsRow(alarms, { list: [{ kind: 'sns', topic_arn: 'arn:aws:sns:eu-west-1:123456789012:t', subscriptions: [{ protocol: 'email', confirmed: 0, pending: 1 }] }] });
    assert.equal(pending.status, 'fail');
    assert.match(pending.reason, /no confirmed subscription/);
    const unreadable = alertsRow(alarms, { list: [{ kind: 'sns', topic_arn: 'arn:aws:sns:eu-west-1:123456789012:t', subscriptions: null, subscriptions_error: 'AuthorizationError: denied' }] });
    assert.equal(unreadable.status, 'fail');
    assert.match(unreadable.measured, /subscriptions unreadable: AuthorizationError/);
    const old = alertsRow(alarms, { unknown: 'this server does not say where alerts go (no GET /api/admin/alerts): not verified' });
    assert.equal(old.status, 'pass');
    assert.match(old.reason, /not verified$/);
  });
});

describe('runLoad', () => {
  /** A deployment that caches answers by question text, and whose first answer to `failing` is a 502. */
  function fakeRun(failing?: string) {
    const seen = new Set<string>();
    let failed = false;
    const send = async (_method: string, _path: string, opts: { json: { question: string } }) => {
      const q = opts.json.question;
      if (q === failing && !failed) {
        failed = true;
        return { status: 502, headers: new Headers(), json: { error_type: 'internal_error' }, ms: 1 };
      }
      const hit = seen.has(q);
      seen.add(q);
      return { status: 200, headers: new Headers(), json: { cache_status: hit ? 'hit' : 'miss' }, ms: 1 };
    };
    return {
      options: { durationMs: 10_000, concurrency: 4, maxRequests: 200 },
      http: { send },
      stopping: () => false,
    } as unknown as CheckRun;
  }
  const user = { token: 't' } as CheckUser;

  it('asks each repeated question once before the timed load and counts none of those answers', async () => {
    const f = await runLoad(fakeRun(), user, 'm', 'run');
    assert.equal(f.warmup, CHECK_QUESTIONS.length);
    assert.equal(f.sent, 200, 'stopped by the request cap');
    assert.equal(f.cache.hit + f.cache.miss, f.answered);
    // Only never-asked questions (about 10 %) miss: the repeated ones were all warmed up.
    assert.ok(f.cache.miss > 0 && f.cache.miss < 50, JSON.stringify(f.cache));
    assert.equal(f.dropped, 0);
  });

  it('counts a warm-up question the deployment dropped as dropped', async () => {
    const f = await runLoad(fakeRun(CHECK_QUESTIONS[2]!.question), user, 'm', 'run');
    assert.equal(f.warmup, CHECK_QUESTIONS.length);
    assert.equal(f.errors5xx, 1);
    assert.equal(f.dropped, 1);
  });
});
