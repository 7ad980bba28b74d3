import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/eval-manuals.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('manuel check interrupted with Ctrl+C', () => {
  let t: TestServer;
  let admin: string;
  const configDir = mkdtempSync(join(tmpdir(), 'manuel-check-cfg-'));
  before(async () => {
    t = await startTestServer();
    admin = await t.signup();
  });
  after(async () => {
    await t.close();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('deletes every manual and both users it made before exiting 130, mid-load', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'manuel.js'), 'check', '--url', t.url, '--admin-token', admin, '--duration', '60s', '--concurrency', '8'], {
      env: { ...process.env, MANUEL_CONFIG_DIR: configDir, MANUEL_SERVER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Ctrl+C once the load is running: its manual is ingested and questions are in flight.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the load never started:\n${stderr}`)), 45_000);
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/^performance:/m.test(stderr)) {
          clearTimeout(timer);
          setTimeout(resolve, 1500);
        }
      });
    });
    const emails = stderr.match(/manuel-check-[\w-]+@example\.com/g)!;
    assert.equal(emails.length, 2);
    const users = await Promise.all(emails.map((e) => t.server.services.users.byEmail(e)));
    const before = await t.server.services.manuals.list([users[0]!.id]);
    assert.equal(before.length, 1, 'user A owns the loaded manual while the check runs');

    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted: deleting what the check created/);
    assert.match(stderr, /cleanup done$/m);
    assert.equal(stdout, '', 'no report for an interrupted run');
    // The users are gone, and their manuals with them.
    for (const [i, u] of users.entries()) {
      assert.ok(u);
      assert.equal(await t.server.services.users.byId(u.id), null, emails[i]);
      assert.equal(await t.server.services.users.byEmail(emails[i]!), null, emails[i]);
      assert.deepEqual(await t.server.services.manuals.list([u.id]), []);
    }
    assert.equal(await t.server.services.manuals.get(before[0]!.id, [users[0]!.id]), null);
    const asAdmin = await t.request(`/api/manuals/${before[0]!.id}`, { token: admin });
    assert.equal(asAdmin.status, 404);
  });
});
