import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import { startServer } from '../../src/entry/server.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { assertOneLineFailure, runManuel, succeeded } from '../helpers/run-command.js';

/** `manuel keys` and `manuel login --api-key`: a second computer works with signed requests only. */

let root: string;
let server: { url: string; close(): Promise<void> };

const manuel = (config: string, args: string[]) => runManuel(args, { configDir: join(root, config), server: server.url });
const storedConfig = (config: string) => JSON.parse(readFileSync(join(root, config, 'manuel', 'config.json'), 'utf8'));

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'manuel-'));
  const config = loadEmbeddedConfig(
    { PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: join(root, 'data'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    { EmbeddingWorkers: 0, EnableAdvancedSecurity: true, HMACSigningKey: 'a-server-key-for-admin-routes-0123456789' },
  );
  server = await startServer(config);
});

after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('manuel keys and login --api-key', { concurrency: false }, () => {
  let key = { key_id: '', secret: '' };

  test('keys create (with a password login) prints the secret once; keys list shows no secret', async () => {
    succeeded(await manuel('laptop', ['signup', '--email', 'grace@example.com', '--password', 'correct horse battery']));
    const created = succeeded(await manuel('laptop', ['keys', 'create', 'build server']));
    const m = /^Created API key (mk_\w+) \(build server\)\nSecret \(shown only now\): (\S+)\nUse it with: manuel login --api-key \1:\2\n$/.exec(created.stdout);
    assert.ok(m, created.stdout);
    key = { key_id: m[1]!, secret: m[2]! };
    const list = succeeded(await manuel('laptop', ['keys', 'list']));
    assert.match(list.stdout, new RegExp(`^KEY ID\\s+CREATED\\s+NAME\\n${key.key_id}\\s+\\S+ \\S+\\s+build server\\n$`));
    assert.ok(!list.stdout.includes(key.secret));
  });

  test('login --api-key on another computer stores the key, no token; a wrong secret is not kept', async () => {
    assertOneLineFailure(await manuel('wrong', ['login', '--api-key', `${key.key_id}:mks_wrong`]), /signature does not match/);
    assert.equal(storedConfig('wrong').api_keys?.[server.url], undefined);
    assertOneLineFailure(await manuel('wrong', ['login', '--api-key', 'no-colon']), /KEYID:SECRET/);
    const r = succeeded(await manuel('ci', ['login', '--api-key', `${key.key_id}:${key.secret}`]));
    assert.match(r.stdout, new RegExp(`^Logged in with API key ${key.key_id} on http://127\\.0\\.0\\.1:\\d+: requests are signed\\n$`));
    const stored = storedConfig('ci');
    assert.deepEqual(stored.sessions, {});
    assert.deepEqual(stored.api_keys[server.url], key);
  });

  test('with only the API key: upload (signed multipart), manuals list and ask work', async () => {
    const pdf = join(root, 'toaster.pdf');
    writeFileSync(pdf, buildPdf([['To descale the toaster, hold the crumb tray lever for five seconds.'], ['Warranty: two years.']]));
    const up = succeeded(await manuel('ci', ['upload', pdf]));
    assert.match(up.stdout, /toaster\.pdf: completed \(pages 2/);
    const list = JSON.parse(succeeded(await manuel('ci', ['manuals', 'list', '--json'])).stdout);
    assert.equal(list.count, 1);
    assert.equal(list.manuals[0].name, 'toaster.pdf');
    const answer = JSON.parse(succeeded(await manuel('ci', ['ask', '--json', 'how do I descale the toaster?'])).stdout);
    assert.equal(answer.sources[0].manual_name, 'toaster.pdf');
    assert.equal(answer.sources[0].page_number, 1);
    // the key's user is the password user: the same manuals
    assert.equal(JSON.parse(succeeded(await manuel('laptop', ['manuals', 'list', '--json'])).stdout).count, 1);
  });

  test('a key cannot create keys; revoking it stops the other computer with a one-line hint', async () => {
    assertOneLineFailure(await manuel('ci', ['keys', 'create', 'successor']), /password login/);
    succeeded(await manuel('laptop', ['keys', 'revoke', key.key_id]));
    assertOneLineFailure(await manuel('ci', ['manuals', 'list']), /unknown keyid.*manuel login --api-key/);
    const out = succeeded(await manuel('ci', ['logout']));
    assert.match(out.stdout, /^Logged out of/);
    assert.equal(storedConfig('ci').api_keys[server.url], undefined);
  });
});
