import { Worker } from 'node:worker_threads';
import { ManuelError, errors } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';

interface Task {
  id: number;
  texts: string[];
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Task | null;
}

type WorkerMessage = { type: 'ready' } | { type: 'result'; id: number; vectors?: Float32Array[]; error?: string };

const embeddingError = (reason: string) => new ManuelError('internal_error', `Embedding failed: ${reason}`);

/** Small batches keep one slow request from holding a worker for long, spread work evenly, and keep
 * the WASM heap (which never shrinks) small. */
const DEFAULT_BATCH = 8;

/**
 * The bundled sentence encoder in worker threads: a shared queue of batches, one batch per worker
 * at a time. A worker that dies fails its batch and is replaced, so one bad input never stalls ingestion.
 */
export class LocalEmbedder implements Embedder {
  readonly dimensions = 512;
  readonly modelId = 'universal-sentence-encoder-lite-en';
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly workerUrl: URL,
    private readonly batch: number,
  ) {}

  static async create(opts: { workers?: number; batchSize?: number } = {}): Promise<LocalEmbedder> {
    const embedder = new LocalEmbedder(new URL('./embed-worker.js', import.meta.url), Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH)));
    const n = Math.max(1, Math.floor(opts.workers ?? 1));
    try {
      await Promise.all(Array.from({ length: n }, () => embedder.spawn()));
    } catch (e) {
      await embedder.close();
      throw e;
    }
    return embedder;
  }

  get workers(): number {
    return this.slots.length;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.closed) throw errors.unavailable('The embedder is closed');
    if (texts.length === 0) return [];
    const batches: Promise<Float32Array[]>[] = [];
    // A question (one or two texts) jumps ahead of ingestion batches: someone is waiting for it.
    const interactive = texts.length <= 2;
    for (let i = 0; i < texts.length; i += this.batch) {
      const slice = texts.slice(i, i + this.batch);
      batches.push(
        new Promise((resolve, reject) => {
          const task = { id: this.nextId++, texts: slice, resolve, reject };
          if (interactive) this.queue.unshift(task);
          else this.queue.push(task);
        }),
      );
    }
    this.pump();
    return (await Promise.all(batches)).flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(errors.unavailable('The embedder was closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy?.reject(errors.unavailable('The embedder was closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerUrl);
      const slot: Slot = { worker, busy: null };
      let ready = false;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          ready = true;
          this.slots.push(slot);
          resolve();
          this.pump();
          return;
        }
        const task = slot.busy;
        slot.busy = null;
        if (task && task.id === msg.id) {
          if (msg.error !== undefined || !msg.vectors) task.reject(embeddingError(msg.error ?? 'no vectors'));
          else task.resolve(msg.vectors);
        }
        this.pump();
      });
      const fail = (err: Error) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        slot.busy?.reject(embeddingError(err.message));
        slot.busy = null;
        if (!ready) return reject(embeddingError(`embedding worker failed to start: ${err.message}`));
        if (!this.closed) this.spawn().catch(() => this.failQueued());
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!this.closed && (slot.busy || this.slots.includes(slot) || !ready)) fail(new Error(`embedding worker exited with code ${code}`));
      });
    });
  }

  private failQueued() {
    if (this.slots.length > 0) return;
    for (const t of this.queue.splice(0)) t.reject(errors.unavailable('No embedding worker is running'));
  }

  private pump() {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const task = this.queue.shift();
      if (!task) return;
      slot.busy = task;
      slot.worker.postMessage({ id: task.id, texts: task.texts });
    }
  }
}
