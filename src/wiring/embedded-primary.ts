import { LocalEmbedder } from '../adapters/embedded/local-embedder.js';
import type { Embedder } from '../core/ports/embedder.js';

/**
 * The one embedding model of a cluster (docs/decisions/0016), in the supervising primary: its
 * workers embed through it over IPC (IpcEmbedder). EmbeddingWorkers threads, all kept loaded: a
 * cluster runs for throughput, and a thread started on demand loaded its model (~2 s of CPU) in the
 * middle of the burst of new questions that called for it, so the first seconds of a burst were
 * the slowest (ADR 0039). A single server keeps one loaded and starts the rest on demand.
 * Null when embeddings are off or the model cannot load (keyword search only, as a single server does).
 */
export async function createPrimaryEmbedder(embeddingWorkers: number, log: (message: string) => void): Promise<Embedder | null> {
  if (embeddingWorkers <= 0) return null;
  try {
    return await LocalEmbedder.create({ workers: embeddingWorkers, minWorkers: embeddingWorkers });
  } catch (e) {
    log(`embedding model failed to load; semantic search is off: ${(e as Error).message}`);
    return null;
  }
}
