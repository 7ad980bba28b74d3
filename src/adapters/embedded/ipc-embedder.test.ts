import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { it } from 'node:test';
import { ManuelError } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';
import { IpcEmbedder, serveEmbeddings, type IpcChannel } from './ipc-embedder.js';

/** A worker's `process` and the primary's `Worker` joined back to back, with structured clone like 'advanced' IPC. */
function pair() {
  const toPrimary = new EventEmitter();
  const toWorker = new EventEmitter();
  let connected = true;
  const channel = Object.defineProperties(toWorker, {
    connected: { get: () => connected },
    send: { value: (m: unknown) => setImmediate(() => toPrimary.emit('message', structuredClone(m))) },
  }) as unknown as IpcChannel;
  const worker = { on: (e: 'message', l: (m: unknown) => void) => toPrimary.on(e, l), send: (m: unknown) => setImmediate(() => toWorker.emit('message', structuredClone(m))), isConnected: () => connected };
  const disconnect = () => {
    connected = false;
    toWorker.emit('disconnect');
  };
  return { channel, worker, disconnect };
}

const fake = (delayMs = 0): Embedder & { calls: string[][] } => {
  const calls: string[][] = [];
  return {
    calls,
    dimensions: 2,
    modelId: 'fake',
    embed: async (texts) => {
      calls.push(texts);
      await new Promise((r) => setTimeout(r, delayMs));
      if (texts.includes('boom')) throw new Error('model crashed');
      return texts.map((t) => Float32Array.from([t.length, 1]));
    },
  };
};

it('embeds through the primary: each call gets its own vectors, errors come back as errors', async () => {
  const { channel, worker } = pair();
  const model = fake();
  serveEmbeddings(worker, Promise.resolve(model));
  const e = new IpcEmbedder(channel, 2, 'fake');
  const [a, b] = await Promise.all([e.embed(['one']), e.embed(['three', 'x'])]);
  assert.deepEqual(a.map((v) => [...v]), [[3, 1]]);
  assert.deepEqual(b.map((v) => [...v]), [[5, 1], [1, 1]]);
  assert.ok(a[0] instanceof Float32Array);
  await assert.rejects(e.embed(['boom']), (err: unknown) => err instanceof ManuelError && /model crashed/.test(err.message));
  assert.deepEqual(await e.embed([]), []);
});

it('the primary gone: calls in flight and later calls fail with unavailable (retrieval goes on with keywords)', async () => {
  const { channel, worker, disconnect } = pair();
  serveEmbeddings(worker, Promise.resolve(fake(50)));
  const e = new IpcEmbedder(channel, 2, 'fake');
  const inFlight = e.embed(['slow']);
  setTimeout(disconnect, 10);
  await assert.rejects(inFlight, (err: unknown) => err instanceof ManuelError && err.code === 'unavailable');
  await assert.rejects(e.embed(['again']), (err: unknown) => err instanceof ManuelError && err.code === 'unavailable');
});

it('a primary without a model answers every request with an error instead of leaving it hanging', async () => {
  const { channel, worker } = pair();
  serveEmbeddings(worker, Promise.resolve(null));
  await assert.rejects(new IpcEmbedder(channel, 2, 'fake').embed(['q']), /no embedding model/);
});
