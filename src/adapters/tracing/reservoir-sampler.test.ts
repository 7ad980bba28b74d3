import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-node';
import { ReservoirSampler } from './reservoir-sampler.js';

const decide = (s: ReservoirSampler) => s.shouldSample(ROOT_CONTEXT, 'a'.repeat(32), 'GET /x', SpanKind.SERVER, {}, []).decision;
const SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;

describe('ReservoirSampler (X-Ray default rule)', () => {
  it('records the first trace of every second, then the fixed rate of the rest', () => {
    let now = 10_000;
    let draws = 0;
    // random() walks 0.00, 0.01, ... 0.99: exactly `rate` of the draws fall under the rate.
    const sampler = new ReservoirSampler(0.05, 1, () => now, () => (draws++ % 100) / 100);
    const first = Array.from({ length: 101 }, () => decide(sampler));
    assert.equal(first[0], SAMPLED, 'the first of the second uses the reservoir');
    assert.equal(draws, 100, 'no draw for the reservoir\'s trace');
    assert.equal(first.slice(1).filter((d) => d === SAMPLED).length, 5, '5 % of the other 100');
    now += 999; // same second
    draws = 50; // 0.50: over the rate
    assert.equal(decide(sampler), SamplingDecision.NOT_RECORD);
    now += 1; // next second: the reservoir is full again
    draws = 50;
    assert.equal(decide(sampler), SAMPLED);
    assert.equal(decide(sampler), SamplingDecision.NOT_RECORD);
  });

  it('at rate 1 records everything; at rate 0 only the reservoir', () => {
    const all = new ReservoirSampler(1, 1, () => 0);
    assert.ok(Array.from({ length: 50 }, () => decide(all)).every((d) => d === SAMPLED));
    const none = new ReservoirSampler(0, 2, () => 0, () => 0);
    assert.deepEqual(Array.from({ length: 4 }, () => decide(none)), [SAMPLED, SAMPLED, SamplingDecision.NOT_RECORD, SamplingDecision.NOT_RECORD]);
  });

  it('refuses a rate outside 0..1', () => {
    assert.throws(() => new ReservoirSampler(1.5), RangeError);
    assert.throws(() => new ReservoirSampler(-0.1), RangeError);
    assert.throws(() => new ReservoirSampler(Number.NaN), RangeError);
  });
});
