import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GaugeValue, Metrics } from '../../core/ports/metrics.js';

/** Sees every count (the per-minute aggregates read answers by cache status from here). */
export type CountListener = (name: string, labels: Record<string, string>, n: number) => void;

/**
 * The Metrics port on prom-client. Counters and histograms are created on first use with the label
 * names of that first call, so a call site declares a metric simply by using it; a later call with
 * other label names is a programming error and throws.
 */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();
  private readonly gauges = new Map<string, { read: () => GaugeValue | Promise<GaugeValue> }>();
  private listener: CountListener | null = null;
  private scraper: (() => Promise<{ contentType: string; body: string }>) | null = null;

  constructor(private readonly prefix = 'manuel_') {}

  count(name: string, labels: Record<string, string> = {}, n = 1): void {
    let c = this.counters.get(name);
    if (!c) {
      c = new Counter({ name: this.prefix + name, help: name.replace(/_/g, ' '), labelNames: Object.keys(labels), registers: [this.registry] });
      this.counters.set(name, c);
    }
    c.inc(labels, n);
    this.listener?.(name, labels, n);
  }

  observe(name: string, value: number, labels: Record<string, string> = {}): void {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram({ name: this.prefix + name, help: name.replace(/_/g, ' '), labelNames: Object.keys(labels), registers: [this.registry] });
      this.histograms.set(name, h);
    }
    h.observe(labels, value);
  }

  /**
   * A gauge of shared state (the queue in the data dir, the DLQ): every process reads the same figure,
   * so when processes are aggregated the largest reading is kept, not the sum. A reader that fails
   * exports no value rather than failing the scrape.
   */
  gauge(name: string, help: string, read: () => GaugeValue | Promise<GaugeValue>, labelNames: string[] = []): void {
    const known = this.gauges.get(name);
    if (known) {
      known.read = read;
      return;
    }
    const slot = { read };
    this.gauges.set(name, slot);
    new Gauge({
      name: this.prefix + name,
      help,
      labelNames,
      aggregator: 'max',
      registers: [this.registry],
      async collect() {
        this.reset();
        let v: GaugeValue;
        try {
          v = await slot.read();
        } catch {
          return;
        }
        if (typeof v === 'number') this.set(v);
        else if (Array.isArray(v)) for (const r of v) this.set(r.labels, r.value);
      },
    });
  }

  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const c = this.counters.get(name);
    if (!c) return 0;
    const { values } = await c.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
      .reduce((sum, v) => sum + v.value, 0);
  }

  /** One listener for every count (set once, at wiring time). */
  onCount(listener: CountListener): void {
    this.listener = listener;
  }

  /** Process figures (CPU, memory, heap, event-loop lag, handles) under their usual names. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    if (this.scraper) return this.scraper();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Scrapes through another exposition (a cluster worker: every worker's figures, aggregated by the primary). */
  scrapeThrough(scraper: () => Promise<{ contentType: string; body: string }>): void {
    this.scraper = scraper;
  }
}
