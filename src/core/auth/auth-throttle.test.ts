import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryRateLimitStore } from '../../adapters/embedded/memory-rate-limit-store.js';
import { isManuelError, type ManuelError } from '../errors.js';
import { CounterAuthThrottle } from './auth-throttle.js';

const settings = { maxConsecutiveFailures: 3, lockoutMinutes: 15, maxFailuresPerIpPerDay: 10, signupsPerIpPerHour: 2 };
const throttle = () => new CounterAuthThrottle(new MemoryRateLimitStore(), settings);
const refused = (e: unknown) => isManuelError(e) && e.code === 'rate_limited';
const retryAfter = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as ManuelError).details?.retry_after_seconds as number;
  }
  return null;
};

it('admits the configured number of failed attempts per email + address, then locks the pair out for LoginLockoutMinutes', async () => {
  const t = throttle();
  for (let i = 0; i < 3; i++) await t.beforeLogin('ann@x', '10.0.0.1');
  const wait = await retryAfter(t.beforeLogin('ann@x', '10.0.0.1'));
  assert.ok(wait !== null && wait > 14 * 60 && wait <= 15 * 60, `retry after ${wait} s`);
  await t.beforeLogin('ann@x', '10.0.0.2'); // the owner elsewhere
  await t.beforeLogin('bob@x', '10.0.0.1'); // another account from the same address
});

it('a success resets the consecutive failures of that email + address', async () => {
  const t = throttle();
  for (let i = 0; i < 2; i++) await t.beforeLogin('ann@x', '10.0.0.1');
  await t.beforeLogin('ann@x', '10.0.0.1');
  await t.loginSucceeded('ann@x', '10.0.0.1');
  for (let i = 0; i < 3; i++) await t.beforeLogin('ann@x', '10.0.0.1');
  await assert.rejects(t.beforeLogin('ann@x', '10.0.0.1'), refused);
});

it('caps failures per address per day across many emails; successes do not count', async () => {
  const t = throttle();
  await t.beforeLogin('owner@x', '10.0.0.9');
  await t.loginSucceeded('owner@x', '10.0.0.9');
  for (let i = 0; i < 10; i++) await t.beforeLogin(`guess${i}@x`, '10.0.0.9');
  const wait = await retryAfter(t.beforeLogin('fresh@x', '10.0.0.9'));
  assert.ok(wait !== null && wait > 23 * 3600, `retry after ${wait} s`);
  await t.beforeLogin('fresh@x', '10.0.0.10');
});

it('limits sign-ups per address per hour', async () => {
  const t = throttle();
  await t.beforeSignup('10.0.0.1');
  await t.beforeSignup('10.0.0.1');
  await assert.rejects(t.beforeSignup('10.0.0.1'), refused);
  await t.beforeSignup('10.0.0.2');
});

it('counts parallel guesses atomically: 32 at once against a limit of 3 admit 3', async () => {
  const t = throttle();
  const results = await Promise.allSettled(Array.from({ length: 32 }, () => t.beforeLogin('ann@x', '10.0.0.1')));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
});
