import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/eval-manuals.js';
import { dropPrefix, TEST_REDIS_URL } from '../helpers/redis-test.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runCommand, type Run } from '../helpers/run-command.js';

const configDir = mkdtempSync(join(tmpdir(), 'manuel-check-cfg-'));
const manuelCheck = (args: string[]): Promise<Run> =>
  runCommand(process.execPath, [join(repoRoot, 'bin', 'manuel.js'), 'check', ...args], { ...process.env, MANUEL_CONFIG_DIR: configDir, MANUEL_SERVER: '' });
type Row = { id: string; measured: string; status: string; reason: string };
const byId = (stdout: string): Record<string, Row> => Object.fromEntries((JSON.parse(stdout).criteria as Row[]).map((r) => [r.id, r]));

const SERVER_KEY = 'manuel-check-server-key-0123456789abcdef';

/**
 * infra/parameters-full.json as deployed, with what a test phase changes: alerts to a (local)
 * webhook, a server key for admin signatures, no per-user quota (the load would use it up) and a
 * rate limit of 300 per 15 s instead of 100 per 60 s, so the check (a few hundred requests from one
 * address) waits seconds, not minutes, between phases.
 */
function fullParameters(overrides: Record<string, unknown>): Record<string, unknown> {
  const file = JSON.parse(readFileSync(join(repoRoot, 'infra', 'parameters-full.json'), 'utf8')) as { Parameters: Record<string, string> };
  return { ...file.Parameters, Environment: 'test', DailyQuotaLimit: 0, MonthlyQuotaLimit: 0, RateLimitRequests: 300, RateLimitWindowMinutes: 0.25, HMACSigningKey: SERVER_KEY, ...overrides };
}

async function fullServer(hooks: WebhookReceiver, overrides: Record<string, unknown> = {}): Promise<{ t: TestServer; admin: string }> {
  const t = await startTestServer({ parameters: fullParameters({ AlertWebhookUrl: hooks.url, ...overrides }) });
  return { t, admin: await t.signup() };
}

const closeServer = async (t: TestServer) => {
  const prefix = `test:${basename(t.dataDir)}:`;
  await t.close();
  await dropPrefix(TEST_REDIS_URL, prefix);
};

describe('manuel check against the embedded server on the full profile', () => {
  let hooks: WebhookReceiver;
  before(async () => (hooks = await startWebhookReceiver()));
  after(() => hooks.close());

  it('exits 0 with every criterion applicable and passing (5 s, 16 workers)', async () => {
    const { t, admin } = await fullServer(hooks);
    try {
      const run = await manuelCheck(['--url', t.url, '--admin-token', admin, '--signing-key', SERVER_KEY, '--profile', 'full', '--duration', '5s', '--concurrency', '16', '--json']);
      const rows = byId(run.stdout);
      const failing = Object.values(rows).filter((r) => r.status !== 'pass');
      assert.equal(run.code, 0, JSON.stringify(failing, null, 1));
      for (const [id, r] of Object.entries(rows)) assert.equal(r.status, 'pass', `${id}: ${r.measured} — ${r.reason}`);
      assert.equal(Object.keys(rows).length, 13);
      assert.match(rows.ratelimit!.measured, /^429 at request \d+, \d+ answered \(.*user 300\/15s/);
      assert.match(rows.waf!.measured, /^(\d+)\/\1 attacks blocked · 6\/6 legitimate passed$/);
      assert.match(rows.unauthorized!.reason, /admin routes need a server-key signature/);
      assert.match(rows.alerts!.measured, /^4 alarms/, 'every alarm but QuotaUsageThreshold (no quota here)');
      assert.ok(rows.alerts!.measured.endsWith(` → webhook ${new URL(hooks.url).host}`), `${rows.alerts!.measured}: the webhook's host, never its path or query`);
      const report = JSON.parse(run.stdout);
      assert.ok(report.load.hitRate > 0.6 && report.load.p95 < 2000 && report.load.dropped === 0);
      assert.equal(report.cleanup.manuals_remaining, 0);
    } finally {
      await closeServer(t);
    }
  });

  it('names the criterion and exits non-zero when the WAF is off although the profile says full', async () => {
    const { t, admin } = await fullServer(hooks, { EnableWAF: false });
    try {
      const run = await manuelCheck(['--url', t.url, '--admin-token', admin, '--signing-key', SERVER_KEY, '--profile', 'full', '--duration', '2s', '--concurrency', '8', '--json']);
      assert.equal(run.code, 1, run.stderr);
      const rows = byId(run.stdout);
      assert.equal(rows.waf!.status, 'fail');
      assert.match(rows.waf!.measured, /^0\/\d+ attacks blocked/);
      const others = Object.values(rows).filter((r) => r.id !== 'waf' && r.status !== 'pass');
      assert.deepEqual(others, [], 'only the broken setting fails');
      assert.match(run.stderr, /check failed: WAF blocking malicious requests$/m);
    } finally {
      await closeServer(t);
    }
  });
});
