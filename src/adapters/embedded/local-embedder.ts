import { Worker } from 'node:worker_threads';
import { ManuelError, errors } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';

interface Task {
  id: number;
  texts: string[];
  /** Part of a bulk request (ingestion), as opposed to a question. */
  bulk: boolean;
  resolve: (v: Float32Array[]) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Task | null;
  /** Bulk batches embedded: the WASM heap grows with use and never shrinks, so a used worker is recycled when idle. */
  used: number;
}

export interface LocalEmbedderOptions {
  /** Most worker threads while there is ingestion work (default 1). */
  workers?: number;
  /** Workers kept loaded while idle, for questions (default 1; at most `workers`). */
  minWorkers?: number;
  /** After this long without work, extra workers stop and used ones are replaced by fresh ones (default 20 s). */
  idleMs?: number;
  batchSize?: number;
}

type WorkerMessage = { type: 'ready' } | { type: 'result'; id: number; vectors?: Float32Array[]; error?: string };

const embeddingError = (reason: string) => new ManuelError('internal_error', `Embedding failed: ${reason}`);

/** Small batches keep one slow request from holding a worker for long, spread work evenly, and keep
 * the WASM heap (which never shrinks) small. */
const DEFAULT_BATCH = 8;
/**
 * What one embedding worker may hold in V8 (the model's WASM memory is outside these limits).
 * Its JS heap stays under 30 MB, so 256 MB only stops a runaway (the worker dies and is replaced).
 * The young generation is what it costs: 16 MB instead of V8's default took two used workers from
 * ~420 to ~316 MB PSS on 480 freedombox chunks, at 85-105 CPU ms per chunk against 90-100 (within
 * the noise of a shared machine); 8 MB saved 15 MB more but cost ~10% CPU (ADR 0018).
 */
const EMBED_WORKER_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 };

/**
 * The bundled sentence encoder in worker threads: a shared queue of batches, one batch per worker
 * at a time. A worker that dies fails its batch and is replaced, so one bad input never stalls ingestion.
 */
/** The bundled model (also what a cluster worker's IpcEmbedder reports: its primary runs this one). */
export const LOCAL_EMBEDDING_MODEL = { dimensions: 512, modelId: 'universal-sentence-encoder-lite-en' } as const;

export class LocalEmbedder implements Embedder {
  readonly dimensions = LOCAL_EMBEDDING_MODEL.dimensions;
  readonly modelId = LOCAL_EMBEDDING_MODEL.modelId;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private starting = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly workerUrl: URL,
    private readonly batch: number,
    private readonly maxWorkers: number,
    private readonly minWorkers: number,
    private readonly idleMs: number,
  ) {}

  /**
   * Memory, not only speed: each loaded worker costs ~80 MB idle and ~160 MB after a large manual.
   * So only `minWorkers` stay loaded for questions; more start when ingestion queues batches, and
   * after `idleMs` without work the extras stop and used workers are swapped for fresh ones.
   */
  static async create(opts: LocalEmbedderOptions = {}): Promise<LocalEmbedder> {
    const max = Math.max(1, Math.floor(opts.workers ?? 1));
    const min = Math.min(max, Math.max(1, Math.floor(opts.minWorkers ?? 1)));
    const embedder = new LocalEmbedder(new URL('./embed-worker.js', import.meta.url), Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH)), max, min, opts.idleMs ?? 20_000);
    try {
      await Promise.all(Array.from({ length: min }, () => embedder.spawn()));
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
          const task = { id: this.nextId++, texts: slice, bulk: !interactive, resolve, reject };
          // Questions go ahead of every ingestion batch but stay in arrival order among themselves:
          // pushing each to the very front (LIFO) starved the oldest ones under a burst of questions.
          if (interactive) {
            const firstBulk = this.queue.findIndex((t) => t.bulk);
            this.queue.splice(firstBulk < 0 ? this.queue.length : firstBulk, 0, task);
          } else this.queue.push(task);
        }),
      );
    }
    this.pump();
    this.scaleUp();
    return (await Promise.all(batches)).flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const t of this.queue.splice(0)) t.reject(errors.unavailable('The embedder was closed'));
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy?.reject(errors.unavailable('The embedder was closed'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerUrl, { resourceLimits: EMBED_WORKER_LIMITS });
      const slot: Slot = { worker, busy: null, used: 0 };
      let ready = false;
      this.starting++;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          ready = true;
          this.starting--;
          if (this.closed) {
            void worker.terminate();
            return resolve();
          }
          this.slots.push(slot);
          resolve();
          this.pump();
          return;
        }
        const task = slot.busy;
        slot.busy = null;
        if (task?.bulk) slot.used++; // questions barely grow the heap; ingestion batches do
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
        if (!ready) {
          this.starting--;
          return reject(embeddingError(`embedding worker failed to start: ${err.message}`));
        }
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
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const task = this.runnable() ? this.takeNext() : this.takeBulk();
      if (!task) break;
      slot.busy = task;
      slot.worker.postMessage({ id: task.id, texts: task.texts });
    }
    if (!this.closed && this.queue.length === 0 && this.slots.every((s) => !s.busy)) {
      this.idleTimer = setTimeout(() => void this.shrink(), this.idleMs);
      this.idleTimer.unref();
    }
  }

  /**
   * Whether a free worker should take the head of the queue now. Ingestion batches: always.
   * Questions: when no worker is embedding questions, or a full batch of them waits. An embedding
   * call costs ~12 ms of CPU however many texts it holds, plus ~8 ms per text (USE-lite on the WASM
   * backend, bench/ask-cpu.ts): two workers each taking a lone question as it arrives spent ~20 ms
   * of CPU per question under load, where questions that wait for the busy worker's next batch cost
   * ~9 ms. The wait is one batch (tens of ms); a full batch waiting still gets a second worker.
   */
  private runnable(): boolean {
    const head = this.queue[0];
    if (!head || head.bulk) return !!head;
    if (!this.slots.some((s) => s.busy && !s.busy.bulk)) return true;
    let waiting = 0;
    for (const t of this.queue) {
      if (t.bulk) break;
      if ((waiting += t.texts.length) >= this.batch) return true;
    }
    return false;
  }

  /** The first ingestion batch, behind questions that wait for the worker embedding questions. */
  private takeBulk(): Task | undefined {
    const i = this.queue.findIndex((t) => t.bulk);
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  /**
   * The next task for a free worker. Waiting questions are embedded together, up to a batch: one
   * worker call for eight questions costs far less than eight calls, which is what keeps a burst of
   * new questions from queueing up behind each other.
   */
  private takeNext(): Task | undefined {
    const first = this.queue.shift();
    if (!first || first.bulk) return first;
    const group = [first];
    let size = first.texts.length;
    while (this.queue[0] && !this.queue[0].bulk && size + this.queue[0].texts.length <= this.batch) {
      const next = this.queue.shift()!;
      group.push(next);
      size += next.texts.length;
    }
    if (group.length === 1) return first;
    return {
      id: this.nextId++,
      texts: group.flatMap((t) => t.texts),
      bulk: false,
      resolve: (vectors) => {
        let at = 0;
        for (const t of group) {
          t.resolve(vectors.slice(at, at + t.texts.length));
          at += t.texts.length;
        }
      },
      reject: (e) => group.forEach((t) => t.reject(e)),
    };
  }

  /** More workers while batches wait (ingestion), up to the maximum. */
  private scaleUp() {
    // Questions waiting for the worker already embedding questions need no other worker.
    if (!this.runnable() && !this.queue.some((t) => t.bulk)) return;
    const wanted = Math.min(this.maxWorkers, this.slots.length + this.starting + this.queue.length) - this.slots.length - this.starting;
    for (let i = 0; i < wanted; i++) this.spawn().catch(() => this.failQueued());
  }

  /** Idle: keep `minWorkers` fresh workers, stop the rest (their grown heaps go with them). */
  private async shrink() {
    this.idleTimer = null;
    if (this.closed || this.starting > 0) return;
    const used = this.slots.filter((s) => s.used > 0);
    const fresh = this.slots.length - used.length;
    if (used.length === 0 && this.slots.length <= this.minWorkers) return;
    const toStart = Math.max(0, this.minWorkers - fresh);
    try {
      await Promise.all(Array.from({ length: toStart }, () => this.spawn()));
    } catch {
      return; // keep the old workers rather than none
    }
    // Retire used workers (and any extras) that are idle; a busy one is left to finish.
    let keep = this.slots.length;
    for (const slot of [...this.slots].sort((a, b) => b.used - a.used)) {
      if (keep <= this.minWorkers || slot.busy) continue;
      if (slot.used === 0 && keep <= this.minWorkers) continue;
      this.slots.splice(this.slots.indexOf(slot), 1);
      keep--;
      void slot.worker.terminate();
    }
  }
}
