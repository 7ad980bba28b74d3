import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { PromMetrics } from '../metrics/prom-metrics.js';
import { BreakerRegistry } from './breaker-registry.js';
import { fullJitterExponentialBackoff } from './full-jitter-backoff.js';
import { ResiliencePolicy, type BreakerTransition } from './resilience-policy.js';

class Transient extends Error {}
class Permanent extends Error {}
const isTransient = (e: unknown) => e instanceof Transient || (e as Error)?.name === 'AbortError';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A call that fails (transiently) `failures` times, then answers; counts its calls. */
function flaky(failures: number, error: () => Error = () => new Transient('boom')) {
  const state = { calls: 0 };
  const fn = async () => {
    state.calls++;
    if (state.calls <= failures) throw error();
    return 'ok';
  };
  return { state, fn };
}

const retryOpts = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('retry', () => {
  it('tries MaxRetryAttempts times in all (the first included), then gives up with the last error', async () => {
    const p = new ResiliencePolicy({ service: 's', retry: retryOpts, isTransient });
    const { state, fn } = flaky(99);
    await assert.rejects(p.execute(fn), Transient);
    assert.equal(state.calls, 3);
  });

  it('succeeds on a later attempt', async () => {
    const p = new ResiliencePolicy({ service: 's', retry: retryOpts, isTransient });
    const { state, fn } = flaky(2);
    assert.equal(await p.execute(fn), 'ok');
    assert.equal(state.calls, 3);
  });

  it('never retries a permanent error', async () => {
    const p = new ResiliencePolicy({ service: 's', retry: retryOpts, isTransient });
    const { state, fn } = flaky(99, () => new Permanent('400'));
    await assert.rejects(p.execute(fn), Permanent);
    assert.equal(state.calls, 1);
  });

  it('one attempt when MaxRetryAttempts is 1', async () => {
    const p = new ResiliencePolicy({ service: 's', retry: { ...retryOpts, attempts: 1 }, isTransient });
    const { state, fn } = flaky(99);
    await assert.rejects(p.execute(fn));
    assert.equal(state.calls, 1);
  });
});

describe('full jitter', () => {
  const delays = (random: () => number, n: number, initialDelay = 100, maxDelay = 1000) => {
    let b = fullJitterExponentialBackoff(initialDelay, maxDelay, random).next();
    const out = [b.duration];
    for (let i = 1; i < n; i++) out.push((b = b.next(undefined as never)).duration);
    return out;
  };

  it('the n-th delay is uniform in [0, min(MaxRetryDelay, BaseRetryDelay * 2^n))', () => {
    assert.deepEqual(delays(() => 0, 6), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(delays(() => 0.999999, 6), [99, 199, 399, 799, 999, 999]);
    assert.deepEqual(delays(() => 0.5, 6), [50, 100, 200, 400, 500, 500]);
    const caps = [100, 200, 400, 800, 1000, 1000];
    const samples = Array.from({ length: 500 }, () => delays(Math.random, 6));
    for (const s of samples) s.forEach((d, i) => assert.ok(d >= 0 && d < caps[i]!, `delay ${i} = ${d}`));
    // Spread over the whole range, not clustered at the cap (that would be "equal jitter").
    const firsts = samples.map((s) => s[0]!);
    assert.ok(Math.min(...firsts) < 20 && Math.max(...firsts) > 80, `${Math.min(...firsts)}..${Math.max(...firsts)}`);
  });

  it('the policy sleeps those delays between attempts', async () => {
    const slow = new ResiliencePolicy({ service: 's', retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 40, random: () => 0.999 }, isTransient });
    let t = performance.now();
    await assert.rejects(slow.execute(flaky(99).fn));
    assert.ok(performance.now() - t >= 19 + 39 + 39 - 3, `waited ${performance.now() - t} ms`);
    const fast = new ResiliencePolicy({ service: 's', retry: { attempts: 4, baseDelayMs: 1000, maxDelayMs: 1000, random: () => 0 }, isTransient });
    t = performance.now();
    await assert.rejects(fast.execute(flaky(99).fn));
    assert.ok(performance.now() - t < 500, 'random 0: no wait at all');
  });
});

describe('circuit breaker', () => {
  const make = (transitions: BreakerTransition[], extra: Partial<ConstructorParameters<typeof ResiliencePolicy>[0]> = {}) =>
    new ResiliencePolicy({ service: 'dep', breaker: { threshold: 3, halfOpenAfterMs: 60 }, isTransient, onTransition: (t) => transitions.push(t), ...extra });

  it('opens after N consecutive failures; then fails at once without calling', async () => {
    const seen: BreakerTransition[] = [];
    const p = make(seen);
    const { state, fn } = flaky(99);
    for (let i = 0; i < 2; i++) await assert.rejects(p.execute(fn), Transient);
    assert.equal(p.status()!.state, 'closed');
    assert.equal(p.status()!.failures, 2);
    await assert.rejects(p.execute(fn), Transient);
    assert.equal(p.status()!.state, 'open');
    assert.ok(p.status()!.openedAt);
    await assert.rejects(p.execute(fn), BrokenCircuitError);
    assert.equal(state.calls, 3, 'the open breaker did not call through');
    assert.deepEqual(seen.map((t) => [t.from, t.to]), [['closed', 'open']]);
    assert.match(seen[0]!.reason!, /boom/);
  });

  it('a success resets the count; permanent errors do not count', async () => {
    const p = make([]);
    await assert.rejects(p.execute(flaky(99).fn));
    await assert.rejects(p.execute(flaky(99).fn));
    assert.equal(await p.execute(async () => 'fine'), 'fine');
    assert.equal(p.status()!.failures, 0);
    for (let i = 0; i < 5; i++) await assert.rejects(p.execute(flaky(99, () => new Permanent('401')).fn), Permanent);
    assert.equal(p.status()!.state, 'closed');
  });

  it('half-opens after the pause: a successful trial closes it, a failed one opens it again', async () => {
    const seen: BreakerTransition[] = [];
    const p = make(seen);
    for (let i = 0; i < 3; i++) await assert.rejects(p.execute(flaky(99).fn));
    assert.equal(p.status()!.state, 'open');
    await sleep(70);
    assert.equal(p.status()!.state, 'half_open', 'past the pause: the next call is the trial');
    await assert.rejects(p.execute(flaky(99).fn), Transient);
    assert.equal(p.status()!.state, 'open', 'failed trial');
    await assert.rejects(p.execute(flaky(0).fn), BrokenCircuitError);
    await sleep(70);
    assert.equal(await p.execute(flaky(0).fn), 'ok');
    assert.equal(p.status()!.state, 'closed');
    assert.deepEqual(
      seen.map((t) => t.to),
      ['open', 'half_open', 'open', 'half_open', 'closed'],
    );
  });

  it('reset closes an open breaker with no failures counted', async () => {
    const seen: BreakerTransition[] = [];
    const p = make(seen);
    for (let i = 0; i < 3; i++) await assert.rejects(p.execute(flaky(99).fn));
    assert.equal(p.reset(), true);
    assert.deepEqual({ ...p.status()!, openedAt: null }, { service: 'dep', state: 'closed', failures: 0, openedAt: null });
    assert.equal(await p.execute(flaky(0).fn), 'ok', 'calls go through again at once');
    assert.deepEqual(seen.at(-1), { service: 'dep', from: 'open', to: 'closed', failures: 3, reason: 'reset' });
    // It opens again after N new failures, not after one.
    await assert.rejects(p.execute(flaky(99).fn), Transient);
    assert.equal(p.status()!.state, 'closed');
  });

  it('retries stop as soon as the breaker opens', async () => {
    const p = make([], { retry: { attempts: 10, baseDelayMs: 1, maxDelayMs: 1 } });
    const { state, fn } = flaky(99);
    await assert.rejects(p.execute(fn), BrokenCircuitError);
    assert.equal(state.calls, 3);
  });
});

describe('deadline', () => {
  it('caps the whole call, retries included, and aborts the attempt in flight', async () => {
    let aborted = 0;
    const hang = (signal: AbortSignal) =>
      new Promise<string>((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted++;
          reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        }),
      );
    const p = new ResiliencePolicy({ service: 'dep', timeoutMs: 80, retry: { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 }, breaker: { threshold: 1, halfOpenAfterMs: 1000 }, isTransient });
    const t = performance.now();
    await assert.rejects(p.execute(hang), TaskCancelledError);
    const took = performance.now() - t;
    assert.ok(took >= 75 && took < 1000, `took ${took} ms`);
    await sleep(5);
    assert.equal(aborted, 1);
    assert.equal(p.status()!.state, 'open', 'the timed-out attempt counted against the breaker');
  });

  it("a caller's abort ends the wait at once, even during a back-off", async () => {
    const p = new ResiliencePolicy({ service: 'dep', retry: { attempts: 3, baseDelayMs: 5000, maxDelayMs: 5000, random: () => 0.99 }, isTransient });
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(new Permanent('deadline')), 30);
    const t = performance.now();
    await assert.rejects(p.execute(flaky(99).fn, ctrl.signal), Permanent);
    assert.ok(performance.now() - t < 1000);
  });
});

describe('BreakerRegistry', () => {
  it('lists breakers, resets one by name, logs and counts each transition once', async () => {
    const logger = new MemoryLogger();
    const metrics = new PromMetrics();
    const reg = new BreakerRegistry({ logger, metrics });
    const a = reg.policy({ service: 'answer-endpoint', breaker: { threshold: 2, halfOpenAfterMs: 10_000 }, isTransient });
    reg.policy({ service: 'url-import', retry: retryOpts, isTransient }); // no breaker: not listed
    reg.policy({ service: 'redis', breaker: { threshold: 2, halfOpenAfterMs: 10_000 }, isTransient });
    assert.deepEqual(reg.list().map((b) => [b.service, b.state]), [['answer-endpoint', 'closed'], ['redis', 'closed']]);
    assert.throws(() => reg.policy({ service: 'redis', isTransient }), /Two policies/);

    for (let i = 0; i < 6; i++) await assert.rejects(a.execute(flaky(99).fn));
    assert.equal(reg.status('answer-endpoint')!.state, 'open');
    assert.equal(reg.reset('nope'), false);
    assert.equal(reg.reset('answer-endpoint'), true);
    assert.equal(reg.status('answer-endpoint')!.state, 'closed');

    const lines = logger.lines.filter((l) => /circuit breaker/.test(l.msg ?? ''));
    assert.deepEqual(lines.map((l) => [l.level, (l.obj as { to: string }).to]), [['warn', 'open'], ['info', 'closed']], 'six failed calls, one line when it opened');
    assert.equal(await metrics.value('breaker_transitions_total', { service: 'answer-endpoint', to: 'open' }), 1);
    assert.equal(await metrics.value('breaker_transitions_total', { service: 'answer-endpoint', to: 'closed' }), 1);
  });
});
