import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../../core/ports/logger.js';
import type { Metrics } from '../../core/ports/metrics.js';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Labels that may become CloudWatch dimensions: each distinct combination of dimension values is one
 * custom metric ($0.30 a month while it is published), so only labels with a handful of values that
 * no client can choose. Anything else (user, manual, request ids) is dropped, never sent.
 */
export const DEFAULT_DIMENSION_LABELS = [
  'route', // the matched route template, never the raw path
  'method',
  'status_class', // from `status`: 2xx, 4xx, 5xx
  'cache_status',
  'operation',
  'event',
  'scope',
  'rule',
  'kind',
  'result',
  'period',
  'limiter',
  'mode',
  'to',
  'dependency', // the breaker/fallback label `service`, renamed: Powertools owns the `service` dimension
  'queue',
  'state',
] as const;

/** Also published without the other dimensions, so alarms can read totals (alarms cannot SEARCH). */
export const DEFAULT_ROLLUPS: readonly (readonly string[])[] = [[], ['status_class']];

/** CloudWatch unit from the metric's name, Prometheus style: the unit is in the name, the value is in that unit. */
export function unitOf(name: string, kind: 'counter' | 'histogram'): Unit {
  if (/_seconds(_total)?$/.test(name)) return MetricUnit.Seconds;
  if (/_(ms|milliseconds)(_total)?$/.test(name)) return MetricUnit.Milliseconds;
  if (/_bytes(_total)?$/.test(name)) return MetricUnit.Bytes;
  if (/_eur(_total)?$/.test(name)) return MetricUnit.NoUnit; // money has no CloudWatch unit
  return kind === 'counter' ? MetricUnit.Count : MetricUnit.NoUnit;
}

/** The dimensions of a label set: allowed labels only, `status` as its class, `service` as `dependency`. */
export function dimensionsOf(labels: Record<string, string>, allowed: ReadonlySet<string>): Record<string, string> {
  const dims: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    let name = k;
    let value = v;
    if (k === 'status') {
      if (!/^[1-5]\d\d$/.test(v)) continue;
      name = 'status_class';
      value = `${v[0]}xx`;
    } else if (k === 'service') name = 'dependency';
    if (allowed.has(name) && value) dims[name] = value.slice(0, 250);
  }
  return dims;
}

const keyOf = (o: Record<string, string>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));

interface Group {
  dims: Record<string, string>;
  counts: Map<string, number>;
  observations: Map<string, number[]>;
}

export interface EmfMetricsOptions {
  /** CloudWatch namespace; default `Manuel`. */
  namespace?: string;
  /** The `service` dimension on every metric; default `manuel`. */
  serviceName?: string;
  dimensionLabels?: readonly string[];
  rollups?: readonly (readonly string[])[];
  /** Observations buffered at most before a flush on its own (a long-running process that never flushes). */
  maxBuffered?: number;
  /** Where Powertools' own warnings go (invalid names, limits); default the console. */
  logger?: Logger;
}

/** A rollup repeats a value of the full dimension set (same key, same value): expected, not worth a log line per flush. */
const ROLLUP_OVERLAP = /is defined as both a dimension set and dimension set/;

/** EMF allows 100 values per metric per document; Powertools publishes on its own past that, losing our dimension sets. */
const MAX_VALUES = 100;

/**
 * The Metrics port as CloudWatch Embedded Metric Format through Powertools: JSON lines on stdout that
 * CloudWatch Logs turns into metrics, no API call and no agent. Counts are summed per metric and
 * dimension set until `flush()` (call it at the end of each invocation: a frozen Lambda prints
 * nothing), observations keep every value (CloudWatch computes percentiles from them). One EMF line
 * per dimension set, published under the full set and its rollups. `value()` reads this process's
 * counts since start (tests, health); CloudWatch has the real totals. No gauges, no scrape: a push backend.
 */
export class EmfMetrics implements Metrics {
  private readonly namespace: string;
  private readonly serviceName: string;
  private readonly allowed: ReadonlySet<string>;
  private readonly rollups: readonly (readonly string[])[];
  private readonly maxBuffered: number;
  private readonly groups = new Map<string, Group>();
  private readonly publisher: PowertoolsMetrics;
  private buffered = 0;
  private listener: ((name: string, labels: Record<string, string>, n: number) => void) | null = null;
  /** name -> label set -> count, for value(). */
  private readonly totals = new Map<string, Map<string, { labels: Record<string, string>; n: number }>>();

  constructor(opts: EmfMetricsOptions = {}) {
    this.namespace = opts.namespace ?? 'Manuel';
    this.serviceName = opts.serviceName ?? 'manuel';
    this.allowed = new Set(opts.dimensionLabels ?? DEFAULT_DIMENSION_LABELS);
    this.rollups = opts.rollups ?? DEFAULT_ROLLUPS;
    this.maxBuffered = opts.maxBuffered ?? 5000;
    const log = opts.logger;
    const warn = (...a: unknown[]) => {
      if (ROLLUP_OVERLAP.test(String(a[0]))) return;
      if (log) log.warn({ source: 'powertools-metrics' }, a.map(String).join(' '));
      else console.warn(...a);
    };
    this.publisher = new PowertoolsMetrics({
      namespace: this.namespace,
      serviceName: this.serviceName,
      logger: { warn, error: (...a: unknown[]) => (log ? log.error({ source: 'powertools-metrics' }, a.map(String).join(' ')) : console.error(...a)), info() {}, debug() {} },
    });
  }

  count(name: string, labels: Record<string, string> = {}, n = 1): void {
    if (!Number.isFinite(n)) return;
    const g = this.group(labels);
    g.counts.set(name, (g.counts.get(name) ?? 0) + n);
    let byLabels = this.totals.get(name);
    if (!byLabels) this.totals.set(name, (byLabels = new Map()));
    const k = keyOf(labels);
    const t = byLabels.get(k);
    if (t) t.n += n;
    else byLabels.set(k, { labels: { ...labels }, n });
    this.listener?.(name, labels, n);
  }

  /** One listener for every count (set once, at wiring time: the Monitor's answers by cache status). */
  onCount(listener: (name: string, labels: Record<string, string>, n: number) => void): void {
    this.listener = listener;
  }

  observe(name: string, value: number, labels: Record<string, string> = {}): void {
    if (!Number.isFinite(value)) return;
    const g = this.group(labels);
    const values = g.observations.get(name);
    if (values) values.push(value);
    else g.observations.set(name, [value]);
    if (++this.buffered >= this.maxBuffered) this.flush();
  }

  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    let sum = 0;
    for (const t of this.totals.get(name)?.values() ?? []) {
      if (Object.entries(labels).every(([k, v]) => t.labels[k] === v)) sum += t.n;
    }
    return sum;
  }

  /** Prints what is buffered as EMF lines (one or more per dimension set) and empties the buffer. */
  flush(): void {
    for (const g of this.groups.values()) {
      let counts: Map<string, number> | null = g.counts;
      const pending = [...g.observations].map(([name, values]) => ({ name, values, at: 0 }));
      while (counts || pending.some((p) => p.at < p.values.length)) {
        this.publisher.addDimensions(g.dims);
        const keys = Object.keys(g.dims);
        for (const r of this.rollups) {
          if (r.length < keys.length && r.every((k) => k in g.dims)) this.publisher.addDimensions(Object.fromEntries(r.map((k) => [k, g.dims[k]!])));
        }
        for (const [name, n] of counts ?? []) this.publisher.addMetric(name, unitOf(name, 'counter'), n);
        counts = null;
        for (const p of pending) {
          for (const v of p.values.slice(p.at, p.at + MAX_VALUES)) this.publisher.addMetric(p.name, unitOf(p.name, 'histogram'), v);
          p.at += MAX_VALUES;
        }
        if (this.publisher.hasStoredMetrics()) this.publisher.publishStoredMetrics();
        else this.publisher.clearDimensions();
      }
    }
    this.groups.clear();
    this.buffered = 0;
  }

  private group(labels: Record<string, string>): Group {
    const dims = dimensionsOf(labels, this.allowed);
    const k = keyOf(dims);
    let g = this.groups.get(k);
    if (!g) this.groups.set(k, (g = { dims, counts: new Map(), observations: new Map() }));
    return g;
  }
}
