import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryLogger } from '../../test/helpers/fakes.js';
import { startTestServer } from '../../test/helpers/server.js';
import type { WarmUpResult } from '../core/ask/warm-up.js';

describe('startServer and the answer-path warm-up (EnablePerformanceOptimization)', () => {
  it('warms up before it answers anything, and logs what it did', async () => {
    let open!: (r: WarmUpResult) => void;
    const gate = new Promise<WarmUpResult>((resolve) => (open = resolve));
    let calls = 0;
    const logger = new MemoryLogger();
    const starting = startTestServer({
      parameters: { EnablePerformanceOptimization: true },
      logger,
      overrides: {
        warmUp: () => {
          calls++;
          return gate;
        },
      },
    });
    let started = false;
    void starting.then(() => (started = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(calls, 1);
    assert.equal(started, false, 'the server must not listen while its warm-up runs');
    open({ questions: 7, ms: 12 });
    const s = await starting;
    try {
      assert.equal((await s.request('/health')).status, 200);
      assert.ok(logger.lines.some((l) => l.level === 'info' && l.msg === 'answer path warmed up' && (l.obj as WarmUpResult).questions === 7));
    } finally {
      await s.close();
    }
  });

  it('starts anyway when the warm-up fails, with a warning', async () => {
    const logger = new MemoryLogger();
    const s = await startTestServer({
      parameters: { EnablePerformanceOptimization: true },
      logger,
      overrides: { warmUp: () => Promise.reject(new Error('database is locked')) },
    });
    try {
      assert.equal((await s.request('/health')).status, 200);
      const warned = logger.lines.find((l) => l.msg === 'warming up the answer path stopped early');
      assert.equal(warned?.level, 'warn');
      assert.equal((warned?.obj as WarmUpResult).error, 'database is locked');
    } finally {
      await s.close();
    }
  });

  it('does not warm up with the flag off', async () => {
    const logger = new MemoryLogger();
    const s = await startTestServer({ logger });
    try {
      assert.equal(s.server.services.warmUp, undefined);
      assert.ok(!logger.lines.some((l) => /warm/.test(l.msg ?? '')));
    } finally {
      await s.close();
    }
  });
});
