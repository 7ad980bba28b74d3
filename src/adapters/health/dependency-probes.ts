import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Embedder } from '../../core/ports/embedder.js';
import type { HealthProbe, ProbeResult } from '../../core/ports/health-probe.js';

/** The real, cheap checks behind GET /health/deep, one per dependency; the wiring picks which apply. */

export const databaseProbe = (ping: () => boolean | Promise<boolean>): HealthProbe => ({
  name: 'database',
  async check() {
    return (await ping()) ? { status: 'ok' } : { status: 'down', detail: 'SELECT 1 failed' };
  },
});

/** PING on the shared connection (its command time-out applies); not ready means down without waiting. */
export const redisProbe = (redis: Redis, breaker?: string): HealthProbe => ({
  name: 'redis',
  breaker,
  async check() {
    if (redis.status !== 'ready') return { status: 'down', detail: `connection ${redis.status}; callers fall back (cache bypass, SQLite counters)` };
    await redis.ping();
    return { status: 'ok' };
  },
});

/** One short sentence through the model (worker threads included). */
export const embedderProbe = (embedder: Embedder | null): HealthProbe => ({
  name: 'embedder',
  async check() {
    if (!embedder) return { status: 'down', detail: 'the embedding model failed to load: keyword search only' };
    const [v] = await embedder.embed(['health probe']);
    return v?.length === embedder.dimensions ? { status: 'ok' } : { status: 'down', detail: 'unexpected vector size' };
  },
});

/** `GET /v1/models` of an OpenAI-compatible endpoint, whatever form of its URL was configured. */
export function modelsUrl(endpoint: string): string {
  let base = endpoint.replace(/\/+$/, '').replace(/\/(chat\/completions|audio\/transcriptions)$/, '');
  if (!base.endsWith('/v1')) base += '/v1';
  return `${base}/models`;
}

/**
 * Reachability of a model endpoint: any answer below 500 means it is up and answering (some servers,
 * whisper.cpp's, have no /v1/models: their 404 still proves they listen); 5xx, a refused connection or
 * no answer within the probe's deadline means down. `fallback` names what stands in meanwhile.
 */
export function endpointProbe(opts: { name: string; endpoint: string; apiKey?: string; fetch?: typeof fetch; breaker?: string; fallback?: string }): HealthProbe {
  const url = modelsUrl(opts.endpoint);
  const down = (why: string): ProbeResult => ({ status: 'down', detail: opts.fallback ? `${why}; ${opts.fallback}` : why });
  return {
    name: opts.name,
    breaker: opts.breaker,
    async check(signal) {
      let res: Response;
      try {
        res = await (opts.fetch ?? fetch)(url, { headers: opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}, signal });
        await res.arrayBuffer();
      } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        return down(signal.aborted ? 'no answer within the probe deadline' : `unreachable (${cause ?? (e as Error).message})`);
      }
      if (res.status >= 500) return down(`GET /v1/models answered HTTP ${res.status}`);
      return res.ok ? { status: 'ok' } : { status: 'ok', detail: `reachable; GET /v1/models answered HTTP ${res.status}` };
    },
  };
}

/** The local recogniser: its binary and acoustic model are there (running it would cost a second of CPU). */
export const pocketsphinxProbe = (opts: { binary: string; modelDir: string }): HealthProbe => ({
  name: 'transcriber',
  async check() {
    try {
      await access(opts.binary, constants.X_OK);
      await access(opts.modelDir, constants.R_OK);
      return { status: 'ok', detail: 'pocketsphinx' };
    } catch (e) {
      return { status: 'down', detail: `pocketsphinx: ${(e as Error).message}` };
    }
  },
});

/** Voice is off (no ffmpeg or no recogniser): a fixed state, nothing to probe. */
export const unavailableProbe = (name: string, detail: string): HealthProbe => ({ name, check: async () => ({ status: 'down', detail }) });

/** The ingestion worker runs, and how many jobs wait for it. */
export const ingestProbe = (worker: { isRunning(): boolean }, depth: () => number): HealthProbe => ({
  name: 'ingest',
  async check() {
    const queueDepth = depth();
    return worker.isRunning() ? { status: 'ok', queueDepth } : { status: 'down', detail: 'the ingestion worker is stopped', queueDepth };
  },
});
