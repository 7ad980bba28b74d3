import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryCache } from '../../src/adapters/embedded/memory-cache.js';
import { MemoryManualSetVersions } from '../../src/adapters/embedded/memory-manual-set-versions.js';
import { RedisAnswerCache } from '../../src/adapters/redis/redis-answer-cache.js';
import { RedisAnswerLookup } from '../../src/adapters/redis/redis-answer-lookup.js';
import { RedisManualSetVersions } from '../../src/adapters/redis/redis-manual-set-versions.js';
import { answerCacheBase, answerCacheKey, twoStepLookup } from '../../src/core/ask/answer-cache-key.js';
import type { CachedAnswerLookup } from '../../src/core/ports/answer-lookup.js';
import type { Cache } from '../../src/core/ports/cache.js';
import type { ManualSetVersions } from '../../src/core/ports/manual-set-versions.js';
import { ManualClock, MemoryLogger } from '../helpers/fakes.js';
import { testRedis } from '../helpers/redis-test.js';

interface Stores {
  lookup: CachedAnswerLookup;
  /** Where the answer use case writes: the versions bumped by changes, the answers it computed. */
  versions: ManualSetVersions;
  cache: Cache;
  cleanup?: () => Promise<void>;
}

/** Every CachedAnswerLookup reads what the versions and cache ports wrote, under the key the core makes. */
function answerLookupContract(name: string, make: (clock: ManualClock) => Promise<Stores>) {
  describe(`CachedAnswerLookup contract: ${name}`, () => {
    const input = { userId: 'u1', writerId: 'extractive', question: 'How do I reset it?', limit: 5 };
    const base = answerCacheBase(input);
    const owners = ['u1', 'shared'];
    /** Fresh stores on a hand-moved clock for one case, cleaned up after it. */
    const withStores = (fn: (s: Stores, clock: ManualClock) => Promise<void>) => async () => {
      const clock = new ManualClock();
      const s = await make(clock);
      try {
        await fn(s, clock);
      } finally {
        await s.cleanup?.();
      }
    };

    it('reads the versions and the entry under the key answerCacheKey makes of them', withStores(async (s, clock) => {
      const first = await s.lookup.lookup(owners, base);
      assert.equal(first.key, answerCacheKey({ ...input, versions: [0, 0] }));
      assert.equal(first.value, null);
      await s.cache.set(first.key, '{"answer":"hold it"}', 60);
      assert.deepEqual(await s.lookup.lookup(owners, base), { key: first.key, value: '{"answer":"hold it"}' });
      // Another user's key or another question: not this entry.
      assert.equal((await s.lookup.lookup(['u2', 'shared'], answerCacheBase({ ...input, userId: 'u2' }))).value, null);
      assert.equal((await s.lookup.lookup(owners, answerCacheBase({ ...input, question: 'Something else' }))).value, null);
    }));

    it('a bump of either owner gives a new key, with nothing under it', withStores(async (s, clock) => {
      const before = await s.lookup.lookup(owners, base);
      await s.cache.set(before.key, 'old', 60);
      await s.versions.bump('shared');
      await s.versions.bump('shared');
      const after = await s.lookup.lookup(owners, base);
      assert.equal(after.key, answerCacheKey({ ...input, versions: [0, 2] }));
      assert.equal(after.value, null);
      await s.versions.bump('u1');
      assert.equal((await s.lookup.lookup(owners, base)).key, answerCacheKey({ ...input, versions: [1, 2] }));
      assert.equal((await s.lookup.lookup([], base)).key, answerCacheKey({ ...input, versions: [] }), 'no owners: no versions');
    }));

    it('an entry past its TTL is not returned', withStores(async (s, clock) => {
      const { key } = await s.lookup.lookup(owners, base);
      await s.cache.set(key, 'v', 30);
      clock.advance(29_000);
      assert.equal((await s.lookup.lookup(owners, base)).value, 'v');
      clock.advance(2_000);
      assert.equal((await s.lookup.lookup(owners, base)).value, null);
    }));
  });
}

answerLookupContract('twoStepLookup over MemoryManualSetVersions and MemoryCache', async (clock) => {
  const versions = new MemoryManualSetVersions();
  const cache = new MemoryCache({ clock });
  return { lookup: twoStepLookup(versions, cache), versions, cache };
});

// The machine's Redis, through a connection built like the server's, under a key prefix per test.
answerLookupContract('RedisAnswerLookup (127.0.0.1:6379), one script', async (clock) => {
  const { redis, cleanup } = await testRedis('answer-lookup');
  const logger = new MemoryLogger();
  return { lookup: new RedisAnswerLookup(redis, { logger, clock }), versions: new RedisManualSetVersions(redis), cache: new RedisAnswerCache(redis, { logger, clock }), cleanup };
});

it('RedisAnswerLookup is one round trip, and fails (for the caller to bypass) with Redis gone, logging once', async () => {
  const { redis, cleanup } = await testRedis('answer-lookup-rt');
  const logger = new MemoryLogger();
  try {
    const lookup = new RedisAnswerLookup(redis, { logger });
    await lookup.lookup(['a', 'b'], 'answer:a:x'); // loads the script
    const sent: string[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { name: string }, ...rest: unknown[]) => (sent.push(command.name), (send as (...a: unknown[]) => unknown)(command, ...rest))) as typeof redis.sendCommand;
    await lookup.lookup(['a', 'b'], 'answer:a:x');
    assert.deepEqual(sent, ['evalsha']);
    redis.sendCommand = send;
    redis.disconnect();
    await assert.rejects(lookup.lookup(['a'], 'answer:a:x'));
    await assert.rejects(lookup.lookup(['a'], 'answer:a:x'));
    assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1, 'one line per outage');
  } finally {
    await cleanup();
  }
});

it('RedisAnswerLookup sends the text of an entry once per process, and still sees every new write, bump, deletion and expiry', async () => {
  const { redis, cleanup } = await testRedis('answer-lookup-held');
  const logger = new MemoryLogger();
  const clock = new ManualClock();
  try {
    const cache = new RedisAnswerCache(redis, { logger, clock });
    const versions = new RedisManualSetVersions(redis);
    const mine = new RedisAnswerLookup(redis, { logger, clock });
    const theirs = new RedisAnswerLookup(redis, { logger, clock }); // another process on the same Redis
    const base = answerCacheBase({ userId: 'u1', writerId: 'extractive', question: 'How do I pair it?', limit: 5 });
    const owners = ['u1', 'shared'];
    const { key } = await mine.lookup(owners, base);
    await cache.set(key, '{"answer":"first"}', 60);
    const replies: unknown[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { promise: Promise<unknown> }, ...rest: unknown[]) => {
      command.promise.then((r) => replies.push(r), () => undefined);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
    const a = await mine.lookup(owners, base);
    const b = await mine.lookup(owners, base);
    assert.equal(a.value, '{"answer":"first"}');
    assert.equal(b.value, a.value);
    const written = `${clock.now().getTime() + 60_000}\n{"answer":"first"}`;
    assert.deepEqual(replies, [[['0', '0'], written], [['0', '0'], 1]], 'the second reply carries no text');
    redis.sendCommand = send;
    // Another process writes a new answer under the same key (the entry had expired there, say): a new write, so the text travels again.
    clock.advance(1_000);
    await cache.set(key, '{"answer":"second"}', 60);
    assert.equal((await mine.lookup(owners, base)).value, '{"answer":"second"}');
    assert.equal((await theirs.lookup(owners, base)).value, '{"answer":"second"}');
    // A bump: a new key, nothing under it, whatever this process holds.
    await versions.bump('shared');
    assert.deepEqual(await mine.lookup(owners, base), { key: answerCacheKey({ userId: 'u1', writerId: 'extractive', question: 'How do I pair it?', limit: 5, versions: [0, 1] }), value: null });
    // Past its TTL an entry held here is not served, even if Redis (on its own clock) still has it.
    const next = (await mine.lookup(owners, base)).key;
    await cache.set(next, '{"answer":"third"}', 30);
    assert.equal((await mine.lookup(owners, base)).value, '{"answer":"third"}');
    clock.advance(31_000);
    assert.equal((await mine.lookup(owners, base)).value, null);
    // Deleted in Redis: gone here too.
    clock.advance(-31_000);
    await cache.del(next);
    assert.equal((await mine.lookup(owners, base)).value, null);
  } finally {
    await cleanup();
  }
});

it('RedisAnswerLookup keeps at most heldChars of text: an entry pushed out is read in full again', async () => {
  const { redis, cleanup } = await testRedis('answer-lookup-bound');
  const logger = new MemoryLogger();
  try {
    const cache = new RedisAnswerCache(redis, { logger });
    const lookup = new RedisAnswerLookup(redis, { logger, heldChars: 120 }); // two of the 53-character entries below
    const bases = ['q1', 'q2', 'q3'].map((question) => answerCacheBase({ userId: 'u1', writerId: 'extractive', question, limit: 5 }));
    for (const [i, base] of bases.entries()) await cache.set((await lookup.lookup(['u1'], base)).key, `{"answer":"${String(i).repeat(40)}"}`, 60);
    const texts = [];
    for (const base of bases) texts.push((await lookup.lookup(['u1'], base)).value);
    const replies: unknown[] = [];
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { promise: Promise<unknown> }, ...rest: unknown[]) => {
      command.promise.then((r) => replies.push((r as unknown[])[1]), () => undefined);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
    const again = [];
    for (const base of [...bases].reverse()) again.push((await lookup.lookup(['u1'], base)).value);
    redis.sendCommand = send;
    assert.deepEqual(again, [...texts].reverse(), 'the same answers either way');
    assert.deepEqual(replies.slice(0, 2), [1, 1], 'the two most recent (q3, q2) were held');
    assert.equal(typeof replies[2], 'string', 'the oldest (q1) was pushed out: its text came again');
  } finally {
    await cleanup();
  }
});
