import { parentPort } from 'node:worker_threads';
import { buildBiasedModel, type BuildRequest } from './sphinx-model-build.js';

// Builds biased models off the main thread, one at a time, for BiasedModelBuilder.
parentPort?.on('message', async (m: { id: number; req: BuildRequest }) => {
  try {
    parentPort!.postMessage({ id: m.id, words: await buildBiasedModel(m.req) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
