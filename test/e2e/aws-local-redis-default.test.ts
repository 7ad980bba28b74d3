/**
 * `npm run aws:local` with EnableRedisCache on and no RedisUrl: the answer cache is the machine's Redis
 * (127.0.0.1:6379, shared: every key under this run's own prefix), as the "real API emulators and
 * the Redis server" asks. The flag off keeps the per-container cache and opens no Redis connection.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { localRedis, startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { dropPrefix, TEST_REDIS_URL } from '../helpers/redis-test.js';

const pdf = buildPdf([['Descaling'], ['To descale the coffee machine, fill the tank with vinegar and run two empty cycles.']]);

it('localRedis: a RedisUrl given is kept, none given is the machine Redis, always under a prefix of the run; flag off changes nothing', () => {
  const given = localRedis({ EnableRedisCache: true, RedisUrl: 'rediss://cache:6379', RedisKeyPrefix: 'p:' }, 'run1');
  assert.deepEqual(given, { RedisUrl: 'rediss://cache:6379', RedisKeyPrefix: 'p:aws-local:run1:' }, 'a new run never reads an earlier run\'s answers');
  assert.deepEqual(localRedis({ EnableRedisCache: false, RedisUrl: '', RedisKeyPrefix: 'manuel:' }), { RedisUrl: '', RedisKeyPrefix: 'manuel:' });
  const a = localRedis({ EnableRedisCache: true, RedisUrl: '', RedisKeyPrefix: 'manuel:' });
  const b = localRedis({ EnableRedisCache: true, RedisUrl: '', RedisKeyPrefix: 'manuel:' });
  assert.equal(a.RedisUrl, 'redis://127.0.0.1:6379');
  assert.match(a.RedisKeyPrefix, /^manuel:aws-local:[0-9a-f]{8}:$/);
  assert.notEqual(a.RedisKeyPrefix, b.RedisKeyPrefix, 'two runs never share keys');
});

describe('aws:local with EnableRedisCache and no RedisUrl', { skip: motoSkip() }, () => {
  let local: AwsLocal;
  let token = '';
  let prefix = '';
  const call = (path: string, o: { json?: unknown; body?: BodyInit } = {}) =>
    fetch(local.url + path, {
      method: o.json !== undefined || o.body !== undefined ? 'POST' : 'GET',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(o.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: o.json !== undefined ? JSON.stringify(o.json) : o.body,
    });

  before(async () => {
    local = await startAwsLocal({ port: 0, models: { embedder: null, transcriber: null }, scheduleMs: 0, parameters: { EnableRedisCache: true, DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 }, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
    prefix = local.services.config.parameters.RedisKeyPrefix;
  });
  after(async () => {
    await local?.close();
    if (prefix) await dropPrefix(TEST_REDIS_URL, prefix);
  });

  it('stores the answer in the machine Redis under the run prefix, and answers the repeat from it', async () => {
    assert.equal(local.services.redis?.status, 'ready');
    assert.match(prefix, /aws-local:[0-9a-f]{8}:$/);
    const res = await call('/api/auth/signup', { json: { email: `redis-default-${Date.now()}@example.test`, password: 'correct horse battery' } });
    token = ((await res.json()) as { access_token: string }).access_token;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'coffee.pdf');
    const up = await call('/api/manuals/upload', { body: form });
    assert.equal(up.status, 202, await up.clone().text());
    const { job_id } = (await up.json()) as { job_id: string };
    let status = '';
    for (let i = 0; i < 300 && status !== 'completed'; i++) {
      await local.ingestionIdle();
      status = ((await (await call(`/api/ingestion/status?job_id=${job_id}`)).json()) as { status: string }).status;
      if (status !== 'completed') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 'completed');
    const ask = async () => ((await (await call('/api/query', { json: { question: 'How do I descale the coffee machine?' } })).json()) as { cache_status: string }).cache_status;
    assert.equal(await ask(), 'miss');
    assert.equal(await ask(), 'hit');
    const raw = new Redis(TEST_REDIS_URL);
    try {
      let [cursor, found] = ['0', 0];
      do {
        const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        found += keys.length;
        cursor = next;
      } while (cursor !== '0' && found === 0);
      assert.ok(found >= 1, 'the cached answer is a key under the run prefix');
    } finally {
      raw.disconnect();
    }
  });
});
