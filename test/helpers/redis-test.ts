import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisConnection, redisReady } from '../../src/adapters/redis/redis-connection.js';
import { MemoryLogger } from './fakes.js';

export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** A unique key prefix per test, so tests sharing the machine's Redis never see each other's keys. */
export const testPrefix = (tag: string) => `test:${tag}:${process.pid}:${randomBytes(4).toString('hex')}:`;

/**
 * A connection built like the server's (createRedisConnection: 250 ms command time-out, no offline
 * queue) under its own key prefix, ready; cleanup deletes that prefix's keys and disconnects.
 */
export async function testRedis(tag: string, url = TEST_REDIS_URL): Promise<{ redis: Redis; prefix: string; cleanup(): Promise<void> }> {
  const prefix = testPrefix(tag);
  const redis = createRedisConnection({ url, logger: new MemoryLogger(), keyPrefix: prefix });
  assert.ok(await redisReady(redis), `Redis at ${url} is needed`);
  return { redis, prefix, cleanup: () => dropPrefix(url, prefix).finally(() => redis.disconnect()) };
}

/** Deletes every key under `prefix` (SCAN, never KEYS on a shared server). */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await raw.connect();
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await raw.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // best effort: a test that killed its own Redis has nothing to clean
  } finally {
    raw.disconnect();
  }
}

/**
 * Our own redis-server on `port` (never the machine's shared one): no persistence, so a restart starts
 * empty. Fault tests kill only this child.
 */
export async function startOwnRedis(port: number): Promise<import('node:child_process').ChildProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused until the server listens: expected
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on ${port}`);
}

/** SIGKILLs a redis-server started by startOwnRedis (and only it) and waits for it to exit. */
export async function killOwnRedis(child: import('node:child_process').ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
