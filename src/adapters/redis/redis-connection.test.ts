import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { createRedisConnection, redisReady } from './redis-connection.js';

/** Keeps the event loop busy, as computing a burst of new answers does. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('createRedisConnection: command time-outs', () => {
  const open: Redis[] = [];
  after(() => open.forEach((r) => r.disconnect()));

  it('a reply that came back while the event loop was stalled is not a time-out (the real Redis)', async () => {
    const prefix = `test:stall:${process.pid}:${Date.now()}:`;
    const redis = createRedisConnection({ url: 'redis://127.0.0.1:6379', logger: new MemoryLogger(), commandTimeoutMs: 50, keyPrefix: prefix });
    open.push(redis);
    assert.ok(await redisReady(redis, 2000));
    await redis.set('k', 'v', 'EX', 10);
    const pending = redis.get('k');
    stall(200); // four times the time-out; Redis answered long before
    assert.equal(await pending, 'v');

    // ioredis's own commandTimeout takes the same stall for a slow Redis (the failure this replaces).
    const plain = new Redis('redis://127.0.0.1:6379', { commandTimeout: 50, keyPrefix: prefix });
    open.push(plain);
    assert.ok(await redisReady(plain, 2000));
    const raced = plain.get('k');
    stall(200);
    await assert.rejects(raced, /Command timed out/);
  });

  it('a server that does not answer still times out, after the time-out and not much later', async () => {
    // Answers what a connection sends first (HELLO, as a RESP2 server; CLIENT: OK; the ready check's
    // INFO), and nothing after.
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (d) => {
        for (const [, name] of d.toString().matchAll(/\*\d+\r\n\$\d+\r\n(\w+)\r\n/g)) {
          const command = name!.toLowerCase();
          const info = 'redis_version:7.0.0\r\nloading:0\r\n';
          if (command === 'hello') socket.write('*4\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:2\r\n');
          else if (command === 'client') socket.write('+OK\r\n');
          else if (command === 'info') socket.write(`$${info.length}\r\n${info}\r\n`);
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    after(() => {
      sockets.forEach((s) => s.destroy());
      server.close();
    });
    const redis = createRedisConnection({ url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, logger: new MemoryLogger(), commandTimeoutMs: 100 });
    open.push(redis);
    assert.ok(await redisReady(redis, 2000), 'connected');
    const t0 = performance.now();
    await assert.rejects(redis.get('k'), /Command timed out/);
    const waited = performance.now() - t0;
    assert.ok(waited >= 95 && waited < 1000, `timed out after ${waited.toFixed(0)} ms`);

    // Commands sent at different times each fail at their own deadline (one timer serves them all).
    const sentAt: number[] = [];
    const failedAt: number[] = [];
    const sendOne = () => {
      sentAt.push(performance.now());
      return redis.get('k').then(
        () => assert.fail('no reply was sent'),
        (e: Error) => {
          assert.match(e.message, /Command timed out/);
          failedAt.push(performance.now());
        },
      );
    };
    const first = sendOne();
    await new Promise((r) => setTimeout(r, 60));
    const second = sendOne();
    await Promise.all([first, second]);
    for (let i = 0; i < 2; i++) {
      const after = failedAt[i]! - sentAt[i]!;
      assert.ok(after >= 95 && after < 1000, `command ${i + 1} timed out after ${after.toFixed(0)} ms`);
    }
    assert.ok(failedAt[1]! - failedAt[0]! >= 40, 'the later command failed later');
  });
});
