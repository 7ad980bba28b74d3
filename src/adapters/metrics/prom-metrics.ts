import { Counter, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../../core/ports/metrics.js';

/**
 * The Metrics port on prom-client. Counters and histograms are created on first use with the label
 * names of that first call, so a call site declares a metric simply by using it; a later call with
 * other label names is a programming error and throws.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  constructor(private readonly prefix = 'manuel_') {}

  count(name: string, labels: Record<string, string> = {}, n = 1): void {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter({ name: this.prefix + name, help: name.replace(/_/g, ' '), labelNames: Object.keys(labels), registers: [this.registry] });
      this.counters.set(name, c);
    }
    c.inc(labels, n);
  }

  observe(name: string, value: number, labels: Record<string, string> = {}): void {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram({ name: this.prefix + name, help: name.replace(/_/g, ' '), labelNames: Object.keys(labels), registers: [this.registry] });
      this.histograms.set(name, h);
    }
    h.observe(labels, value);
  }

  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const c = this.counters.get(name);
    if (!c) return 0;
    const { values } = await c.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
      .reduce((sum, v) => sum + v.value, 0);
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
