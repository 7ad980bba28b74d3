import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tracer } from '../../src/core/ports/tracer.js';

/** What the core relies on from any tracer: tracing never changes what the traced code does. */
export function tracerContract(name: string, make: () => Tracer): void {
  describe(`Tracer contract: ${name}`, () => {
    it('runs the function once and returns its value', async () => {
      const t = make();
      let runs = 0;
      const value = await t.span('unit', { a: 1, b: 'x', c: true, d: undefined }, async (span) => {
        runs++;
        span.setAttributes({ more: 2 });
        return { answer: 42 };
      });
      assert.deepEqual(value, { answer: 42 });
      assert.equal(runs, 1);
    });

    it('lets the very same error through', async () => {
      const t = make();
      const boom = Object.assign(new Error('boom'), { code: 'internal_error' });
      await assert.rejects(
        t.span('failing', undefined, async () => {
          throw boom;
        }),
        (e) => e === boom,
      );
    });

    it('nests, runs spans in parallel, and ends steps', async () => {
      const t = make();
      const order: string[] = [];
      const result = await t.span('outer', undefined, async () => {
        const step = t.step('sync-part', { n: 1 });
        order.push('step');
        step.end({ done: true });
        return Promise.all(
          [30, 10, 20].map((ms) =>
            t.span(`inner-${ms}`, undefined, async () => {
              await new Promise((r) => setTimeout(r, ms));
              order.push(`inner-${ms}`);
              return ms;
            }),
          ),
        );
      });
      assert.deepEqual(result, [30, 10, 20]);
      assert.deepEqual(order, ['step', 'inner-10', 'inner-20', 'inner-30']);
    });
  });
}
