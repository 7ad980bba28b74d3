import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { errors } from '../../core/errors.js';

const REQUEST = 'manuel:metrics-request';
const REPLY = 'manuel:metrics-reply';

interface Reply {
  type: typeof REPLY;
  id: number;
  body?: string;
  contentType?: string;
  error?: string;
}

/**
 * Worker side (several server processes behind one port, node:cluster): a scrape reaches any one
 * worker, so it asks the primary, which collects every worker's registry (prom-client's cluster
 * messages) and sends back the sum — counters and histograms add up, shared-state gauges keep the
 * largest reading. Without this, successive scrapes would read different processes' counters.
 */
export function scrapeThroughPrimary(registry: Registry, timeoutMs = 5000): () => Promise<{ contentType: string; body: string }> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs prom-client's listener: this worker answers the primary's collection requests
  const waiting = new Map<number, (r: Reply) => void>();
  let seq = 0;
  process.on('message', (m: Reply) => {
    if (m?.type === REPLY) waiting.get(m.id)?.(m);
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      const timer = setTimeout(() => settle({ type: REPLY, id, error: `no answer from the cluster primary within ${timeoutMs} ms` }), timeoutMs);
      function settle(r: Reply) {
        clearTimeout(timer);
        waiting.delete(id);
        if (r.error !== undefined || r.body === undefined) reject(errors.unavailable(`Cluster metrics unavailable: ${r.error ?? 'empty answer'}`));
        else resolve({ contentType: r.contentType ?? 'text/plain; version=0.0.4; charset=utf-8', body: r.body });
      }
      waiting.set(id, settle);
      process.send!({ type: REQUEST, id });
    });
}

let serving = false;

/** Primary side: answers a worker's request with every worker's metrics aggregated. Idempotent. */
export function serveClusterMetrics(): void {
  if (serving) return;
  serving = true;
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: { type?: string; id?: number }) => {
    if (m?.type !== REQUEST) return;
    const reply = (r: Omit<Reply, 'type' | 'id'>) => worker.isConnected() && worker.send({ type: REPLY, id: m.id, ...r });
    aggregator.clusterMetrics().then(
      (body) => reply({ body, contentType: aggregator.contentType }),
      (e: Error) => reply({ error: e.message }),
    );
  });
}
