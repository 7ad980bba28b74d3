import { errors, ManuelError } from '../../core/errors.js';
import type { Embedder } from '../../core/ports/embedder.js';

/** What a cluster worker and its primary say to each other (node:cluster IPC, 'advanced' serialization). */
export type EmbedRequest = { type: 'manuel:embed'; id: number; texts: string[] };
export type EmbedReply = { type: 'manuel:embedded'; id: number; vectors?: Float32Array[]; error?: string };

/** The side of an IPC channel a worker sees (`process` in a cluster worker; a fake in tests). */
export interface IpcChannel {
  send(message: EmbedRequest): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  readonly connected: boolean;
}

const isReply = (m: unknown): m is EmbedReply => typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'manuel:embedded';

/**
 * The embedder of a cluster worker when its primary holds the model (docs/decisions/0016): one copy
 * of the model and one queue for every worker instead of one each, so questions from all workers
 * are batched together and the memory of a model is paid once. A call that cannot reach the primary
 * fails with `unavailable`, and retrieval goes on with keywords only (as with no embedder).
 */
export class IpcEmbedder implements Embedder {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly channel: IpcChannel,
    readonly dimensions: number,
    readonly modelId: string,
  ) {
    channel.on('message', (m) => {
      if (!isReply(m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined || !m.vectors) p.reject(new ManuelError('internal_error', `Embedding failed: ${m.error ?? 'no vectors'}`));
      else p.resolve(m.vectors.map((v) => (v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>))));
    });
    channel.on('disconnect', () => {
      for (const p of this.pending.values()) p.reject(errors.unavailable('The embedding process is gone'));
      this.pending.clear();
    });
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    if (!this.channel.connected) return Promise.reject(errors.unavailable('The embedding process is gone'));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      try {
        this.channel.send({ type: 'manuel:embed', id, texts });
      } catch (e) {
        this.pending.delete(id);
        reject(errors.unavailable(`The embedding process is unreachable: ${(e as Error).message}`));
      }
    });
  }
}

/** The primary's side: answers a worker's embed requests with `embedder` (a LocalEmbedder). */
export function serveEmbeddings(
  worker: { on(event: 'message', listener: (message: unknown) => void): unknown; send(message: EmbedReply): unknown; isConnected(): boolean },
  embedder: Promise<Embedder | null>,
): void {
  worker.on('message', (m) => {
    const req = m as Partial<EmbedRequest>;
    if (req?.type !== 'manuel:embed' || typeof req.id !== 'number' || !Array.isArray(req.texts)) return;
    const id = req.id;
    const reply = (r: Omit<EmbedReply, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: 'manuel:embedded', id, ...r });
    };
    embedder
      .then((e) => (e ? e.embed(req.texts!) : Promise.reject(new Error('no embedding model in the primary'))))
      .then(
        (vectors) => reply({ vectors }),
        (e: unknown) => reply({ error: e instanceof Error ? e.message : String(e) }),
      );
  });
}
