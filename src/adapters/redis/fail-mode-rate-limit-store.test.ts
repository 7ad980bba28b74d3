import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryLogger } from '../../../test/helpers/fakes.js';
import { isManuelError } from '../../core/errors.js';
import type { RateLimitStore } from '../../core/ports/rate-limit-store.js';
import { PromMetrics } from '../metrics/prom-metrics.js';
import { MemoryRateLimitStore } from '../embedded/memory-rate-limit-store.js';
import { FailModeRateLimitStore } from './fail-mode-rate-limit-store.js';

/** A store that fails while `down` is true (Redis gone), else counts in memory. */
function flakyStore(): { store: RateLimitStore; setDown(v: boolean): void } {
  let down = false;
  const real = new MemoryRateLimitStore();
  return {
    setDown: (v) => (down = v),
    store: {
      counter(policy) {
        const c = real.counter(policy);
        const guard = <T>(f: () => Promise<T>) => (down ? Promise.reject(new Error('Connection is closed.')) : f());
        return { policy, consume: (k, p) => guard(() => c.consume(k, p)), reward: (k, p) => guard(() => c.reward(k, p)), delete: (k) => guard(() => c.delete(k)) };
      },
    },
  };
}

for (const mode of ['open', 'closed'] as const) {
  it(`fail ${mode}: while the store is down requests are ${mode === 'open' ? 'let through uncounted' : 'refused with 503 unavailable'}; the outage is logged once, each failure counted`, async () => {
    const { store, setDown } = flakyStore();
    const logger = new MemoryLogger();
    const metrics = new PromMetrics();
    const c = new FailModeRateLimitStore(store, { mode, logger, metrics }).counter({ name: 'ip', points: 1, windowSeconds: 60 });
    assert.equal((await c.consume('a')).allowed, true);
    setDown(true);
    for (let i = 0; i < 5; i++) {
      if (mode === 'open') {
        const s = await c.consume('a');
        assert.equal(s.allowed, true);
        assert.equal(s.counted, false);
      } else {
        await assert.rejects(c.consume('a'), (e: unknown) => isManuelError(e) && e.code === 'unavailable');
      }
    }
    if (mode === 'open') await c.delete('a');
    else await assert.rejects(c.delete('a'));
    setDown(false);
    assert.equal((await c.consume('a')).allowed, false, 'counting resumes where it was');
    const errorsLogged = logger.lines.filter((l) => l.level === 'error' && /rate-limit store unavailable/.test(l.msg ?? ''));
    assert.equal(errorsLogged.length, 1);
    assert.equal(logger.lines.filter((l) => /available again/.test(l.msg ?? '')).length, 1);
    assert.equal(await metrics.value('rate_limit_store_failures_total', { mode }), 6);
  });
}
