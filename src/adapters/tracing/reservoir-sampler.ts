import type { Context, Link, SpanAttributes, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-node';

/**
 * The rule X-Ray applies by default, for a trace that starts here: the first `perSecond` traces of
 * each second are recorded, then a fraction `rate` of the rest. A quiet server (a household, a
 * check) has every request traced; a loaded one keeps a steady trickle plus a share that grows with
 * the traffic, at a fraction of the cost (docs/decisions/0033). Wrapped in a ParentBasedSampler, so
 * a caller's sampled flag (`traceparent …-01` / `-00`) still decides for its own trace.
 */
export class ReservoirSampler implements Sampler {
  private second = -1;
  private taken = 0;

  constructor(
    private readonly rate: number,
    private readonly perSecond = 1,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`sample rate must be within 0..1, got ${rate}`);
  }

  shouldSample(_context: Context, _traceId: string, _name: string, _kind: SpanKind, _attributes: SpanAttributes, _links: Link[]): SamplingResult {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.taken = 0;
    }
    if (this.taken < this.perSecond) {
      this.taken++;
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    }
    return { decision: this.rate > 0 && this.random() < this.rate ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return `ReservoirSampler{perSecond=${this.perSecond}, rate=${this.rate}}`;
  }
}
