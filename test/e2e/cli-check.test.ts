import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/eval-manuals.js';
import { runCommand, type Run } from '../helpers/run-command.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const bin = join(repoRoot, 'bin', 'manuel.js');
const configDir = mkdtempSync(join(tmpdir(), 'manuel-check-cfg-'));
const manuelCheck = (args: string[]): Promise<Run> =>
  runCommand(process.execPath, [bin, 'check', ...args], { ...process.env, MANUEL_CONFIG_DIR: configDir, MANUEL_SERVER: '' });

interface Row {
  id: string;
  criterion: string;
  measured: string;
  status: 'pass' | 'fail' | 'n/a';
  reason: string;
}
const byId = (stdout: string): Record<string, Row> => Object.fromEntries((JSON.parse(stdout).criteria as Row[]).map((r) => [r.id, r]));

describe('manuel check against the embedded server, minimal profile', () => {
  let t: TestServer;
  let admin: string;
  before(async () => {
    t = await startTestServer();
    admin = await t.signup(); // the first account is the admin
  });
  after(async () => {
    await t.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('exits 0: functional, isolation, load and auth criteria pass; the enterprise ones are n/a', async () => {
    const run = await manuelCheck(['--url', t.url, '--admin-token', admin, '--profile', 'minimal', '--duration', '3s', '--concurrency', '8', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const rows = byId(run.stdout);
    for (const id of ['functional', 'isolation', 'p95', 'cache', 'dropped', 'unauthorized', 'headers', 'ops']) assert.equal(rows[id]!.status, 'pass', `${id}: ${rows[id]!.reason}`);
    for (const id of ['ratelimit', 'waf', 'alerts', 'dashboard', 'cost']) assert.equal(rows[id]!.status, 'n/a', `${id}: ${rows[id]!.reason}`);
    assert.match(rows.ratelimit!.reason, /minimal profile/);
    assert.match(rows.unauthorized!.measured, /^(\d+)\/\1 refused 401 on \d+ routes$/);
    const report = JSON.parse(run.stdout);
    assert.ok(report.load.answered > 0 && report.load.dropped === 0 && report.load.rateLimited === 0, 'no rate limit on the minimal profile');
    // The hit rate is judged after one warm-up ask of each repeated question, so the new questions
    // (10 %) are what misses; the warm-up is reported, not counted.
    assert.equal(report.load.warmup, 8);
    assert.ok(report.load.cache.miss > 0 && report.load.cache.hit > report.load.cache.miss, JSON.stringify(report.load.cache));
    assert.match(rows.cache!.reason, /8 warm-up questions, not counted/);
    assert.equal(report.cleanup.manuals_remaining, 0);
    assert.match(report.cleanup.users, /^the throwaway users \S+, \S+ are deleted$/);
    // Everything it made is gone: its users, their manuals and their API keys.
    const emails = run.stderr.match(/manuel-check-[\w-]+@example\.com/g)!;
    assert.equal(new Set(emails).size, 2);
    for (const email of emails) assert.equal(await t.server.services.users.byEmail(email), null, email);
    const left = await t.server.services.manuals.list(['shared']);
    assert.ok(left.every((m) => !/Quartz Kettle|Manuel check/.test(m.name ?? '')), 'nothing of the check in the shared library');
    assert.deepEqual((await t.server.services.signing.apiKeys.listAll()).length, 0);
  });

  it('prints the criteria table on a terminal', async () => {
    const run = await manuelCheck(['--url', t.url, '--profile', 'minimal', '--duration', '1s', '--concurrency', '2']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^CRITERION\s+MEASURED\s+RESULT\s+REASON$/m);
    assert.match(run.stdout, /^p95 response time < 2 s\s+p50 .* PASS /m);
    assert.match(run.stdout, /^WAF blocking malicious requests\s+.*\sn\/a\s+minimal profile/m);
    assert.match(run.stdout, /^Alerts configured\s+not measured\s+n\/a\s+minimal profile.*needs --admin-token/m);
    assert.match(run.stdout, /All \d+ applicable criteria pass \(\d+ not applicable\)/);
  });
});

describe('manuel check safety', () => {
  it('refuses a URL that is not loopback without --i-own-this-deployment (exit 2, nothing sent)', async () => {
    const run = await manuelCheck(['--url', 'https://manuel.example.com', '--duration', '1s']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /Refusing to check https:\/\/manuel\.example\.com: it is not this machine.*--i-own-this-deployment/);
    assert.equal(run.stdout, '');
  });

  it('goes ahead with --i-own-this-deployment (and fails on the unreachable host, not the guard)', async () => {
    const run = await manuelCheck(['--url', 'http://192.0.2.1:9', '--i-own-this-deployment', '--timeout', '1s', '--duration', '1s']);
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stderr, /Refusing/);
  });
});
