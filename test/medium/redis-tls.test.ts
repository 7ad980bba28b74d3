/**
 * `rediss://` (what the SAM template gives the Query function for Valkey Serverless, where TLS is always
 * on) with createRedisConnection, against a redis-server of our own that listens with TLS only: the
 * connection is encrypted and the server's certificate is verified against the trusted CAs (Node's
 * store plus NODE_EXTRA_CA_CERTS, read at start-up: hence a child process per case). An impostor with a
 * certificate no trusted CA signed is refused, and the shape then answers without the shared cache.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/eval-manuals.js';
import { killOwnRedis } from '../helpers/redis-test.js';
import { freePort } from '../helpers/server-processes.js';

const run = promisify(execFile);
const connection = pathToFileURL(join(repoRoot, 'dist', 'src', 'adapters', 'redis', 'redis-connection.js')).href;

/** In a fresh Node: createRedisConnection(url), wait for ready, SET + GET one key; prints what happened. */
const probe = `
import { createRedisConnection, redisReady } from ${JSON.stringify(connection)};
import { pino } from 'pino';
const redis = createRedisConnection({ url: process.env.URL, logger: pino({ level: 'silent' }), keyPrefix: 'tls-test:' });
const ready = await redisReady(redis, 3000);
let value = null;
if (ready) { await redis.set('k', 'over tls', 'EX', 30); value = await redis.get('k'); }
console.log(JSON.stringify({ ready, value, tls: !!redis.options.tls }));
redis.disconnect();
`;

async function connect(url: string, env: Record<string, string> = {}): Promise<{ ready: boolean; value: string | null; tls: boolean }> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: repoRoot, env: { ...process.env, URL: url, ...env }, timeout: 20_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('createRedisConnection over TLS (rediss://, as Valkey Serverless needs)', () => {
  let dir = '';
  let port = 0;
  let server: ChildProcess | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-redis-tls-'));
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    // A test CA, and a server certificate it signs for localhost.
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=manuel test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
    port = await freePort();
    server = spawn(
      '/usr/bin/redis-server',
      ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', join(dir, 'server.pem'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', join(dir, 'ca.pem'), '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  });
  after(async () => {
    if (server) await killOwnRedis(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with TLS to a server whose certificate a trusted CA signed, and reads back what it wrote', async () => {
    let r = { ready: false, value: null as string | null, tls: false };
    // The server may still be starting: a few attempts, each a fresh process.
    for (let i = 0; i < 10 && !r.ready; i++) r = await connect(`rediss://localhost:${port}`, { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
    assert.deepEqual(r, { ready: true, value: 'over tls', tls: true });
  });

  it('refuses a server whose certificate no trusted CA signed (no silent fallback to an unverified link)', async () => {
    const r = await connect(`rediss://localhost:${port}`);
    assert.equal(r.tls, true);
    assert.equal(r.ready, false);
  });

  it('a plain redis:// URL does not speak TLS (the port only answers TLS): the scheme is what turns it on', async () => {
    const r = await connect(`redis://localhost:${port}`, { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
    assert.deepEqual(r, { ready: false, value: null, tls: false });
  });
});
