/** A createEmbedded app over a temp data dir, with a fast deterministic embedder, for medium tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import type { Embedder } from '../../src/core/ports/embedder.js';
import { createEmbedded, type EmbeddedApp, type EmbeddedOptions } from '../../src/wiring/embedded.js';
import { FakeEmbedder, MemoryLogger } from '../helpers/fakes.js';

export async function embeddedApp(opts: EmbeddedOptions & { dataDir?: string; embedder?: Embedder | null; parameters?: Record<string, unknown> } = {}) {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'manuel-'));
  const { parameters, ...embeddedOptions } = opts;
  const config = loadEmbeddedConfig({ MANUEL_DATA_DIR: dataDir } as NodeJS.ProcessEnv, { EmbeddingWorkers: 0, ...parameters });
  const app: EmbeddedApp = await createEmbedded(config, {
    logger: new MemoryLogger(),
    transcriber: null,
    ...embeddedOptions,
    embedder: opts.embedder === undefined ? new FakeEmbedder() : opts.embedder,
    worker: { pollMs: 50, retryDelayMs: 0, ...opts.worker },
  });
  return {
    app,
    dataDir,
    /** Waits for a job to end (completed or failed) and returns it. */
    async waitForJob(jobId: string, ownerId: string, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const j = await app.jobs.get(jobId, [ownerId]);
        if (j && (j.status === 'completed' || j.status === 'failed')) return j;
        if (Date.now() > end) throw new Error(`job ${jobId} still ${j?.status}/${j?.stage} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async cleanup(keepDir = false) {
      await app.close(2000);
      if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
