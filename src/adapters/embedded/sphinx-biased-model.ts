import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BuildRequest } from './sphinx-model-build.js';

export { corpusSentences, tokenize } from './sphinx-model-build.js';

export interface SphinxModelFiles {
  lm: string;
  dict: string;
  words: number;
}

export interface BiasedModelOptions {
  modelDir: string; // pocketsphinx en-us model folder (cmudict-en-us.dict, en-us.lm.bin)
  cacheDir: string;
  /** Everyday words taken from the generic model. */
  genericWords?: number;
  /** Weight of the generic words in the unigram distribution (0.15 measured best of 0.15/0.3/0.5). */
  genericWeight?: number;
  /** V8 heap cap of the build worker (MB); see BUILD_HEAP_MB. */
  memoryMb?: number;
}

const MAX_HINTS = 4000;
/**
 * V8 heap of the build worker. Building for the four eval manuals (1,500 terms, 2,333 passages: the
 * corpus is capped at 200k words upstream) fails in 64 MB and succeeds in 96 MB; 192 MB leaves room
 * for the 4,000-term cap. Uncapped, V8 let the worker grow to ~200 MB; capped, ~100 MB (ADR 0018).
 */
const BUILD_HEAP_MB = 192;
const BUILD_YOUNG_MB = 16;
const KEEP_MODELS = 20;

/**
 * Biased models (see buildBiasedModel) cached on disk by a hash of their inputs; builds run in a
 * worker thread so a large manual set does not stall the server's event loop for a second.
 */
export class BiasedModelBuilder {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly replies = new Map<number, { resolve: (words: number) => void; reject: (e: Error) => void }>();
  private readonly pending = new Map<string, Promise<SphinxModelFiles>>();
  /** Last model ready per context (LRU order). */
  private readonly latest = new Map<string, { lm: string; dict: string }>();
  // The hint arrays are memoised upstream, so identity is a cheap cache key for the hash.
  private readonly keys = new WeakMap<string[], WeakMap<string[], string>>();

  constructor(private readonly opts: BiasedModelOptions) {}

  key(hints: string[], corpus: string[] = []): string {
    const known = this.keys.get(hints)?.get(corpus);
    if (known) return known;
    const h = createHash('sha256');
    h.update(`v4|${this.opts.genericWords ?? 6000}|${this.opts.genericWeight ?? 0.15}|`);
    for (const x of hints.slice(0, MAX_HINTS)) h.update(x + '\n');
    h.update('\u0000');
    for (const x of corpus) h.update(x + '\n');
    const key = h.digest('hex').slice(0, 24);
    if (!this.keys.has(hints)) this.keys.set(hints, new WeakMap());
    this.keys.get(hints)!.set(corpus, key);
    return key;
  }

  /**
   * The model for these hints: from the cache, or built (concurrent callers share one build).
   * With a context (whose manuals these are), a model already built for that context is used
   * while the new one builds in the background: a manual added a minute ago should not make the
   * next spoken question wait seconds for a rebuild.
   */
  async model(hints: string[], corpus: string[] = [], context?: string): Promise<SphinxModelFiles> {
    const key = this.key(hints, corpus);
    const dir = join(this.opts.cacheDir, key);
    const files = { lm: join(dir, 'model.lm'), dict: join(dir, 'model.dict') };
    if (existsSync(files.lm) && existsSync(files.dict)) {
      if (context !== undefined) this.remember(context, files);
      return { ...files, words: -1 };
    }
    const previous = context !== undefined ? this.latest.get(context) : undefined;
    const building = this.pending.get(key) ?? this.startBuild(key, hints, corpus, files);
    if (context !== undefined) void building.then((m) => this.remember(context, m), () => {});
    if (previous && existsSync(previous.lm) && existsSync(previous.dict)) {
      building.catch(() => {}); // failures surface to whoever waits for this build, not here
      return { ...previous, words: -1 };
    }
    return building;
  }

  private remember(context: string, files: { lm: string; dict: string }): void {
    this.latest.delete(context);
    this.latest.set(context, { lm: files.lm, dict: files.dict });
    if (this.latest.size > 1000) this.latest.delete(this.latest.keys().next().value!);
  }

  private startBuild(key: string, hints: string[], corpus: string[], files: { lm: string; dict: string }): Promise<SphinxModelFiles> {
    const build = this.build({
      hints: hints.slice(0, MAX_HINTS),
      corpus,
      modelDir: this.opts.modelDir,
      genericWords: this.opts.genericWords ?? 6000,
      genericWeight: this.opts.genericWeight ?? 0.15,
      files,
    })
      .then((words) => (this.prune(), { ...files, words }))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, build);
    return build;
  }

  private build(req: BuildRequest): Promise<number> {
    if (!this.worker) {
      const heap = this.opts.memoryMb ?? BUILD_HEAP_MB;
      const w = new Worker(new URL('./sphinx-model-worker.js', import.meta.url), {
        resourceLimits: { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: BUILD_YOUNG_MB, stackSizeMb: 4 },
      });
      w.on('message', (m: { id: number; words?: number; error?: string }) => {
        const r = this.replies.get(m.id);
        this.replies.delete(m.id);
        if (m.error !== undefined) r?.reject(new Error(m.error));
        else r?.resolve(m.words!);
        if (this.replies.size === 0 && this.worker === w) {
          // Builds are rare and the builder's heap is large: stop it rather than keep it idle (RSS).
          this.worker = null;
          void w.terminate();
        }
      });
      w.on('error', (e) => {
        if (this.worker === w) this.failAll(e);
      });
      w.on('exit', () => {
        if (this.worker !== w) return; // retired on purpose, with nothing in flight
        this.worker = null;
        this.failAll(new Error('model build worker exited'));
      });
      this.worker = w;
    }
    const id = this.nextId++;
    this.worker.ref();
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker!.postMessage({ id, req });
    });
  }

  private failAll(e: Error): void {
    for (const r of this.replies.values()) r.reject(e);
    this.replies.clear();
  }

  /** Keeps the most recently built models; older ones belong to manual sets that changed. */
  private prune(): void {
    try {
      const dirs = readdirSync(this.opts.cacheDir)
        .map((name) => ({ name, at: statSync(join(this.opts.cacheDir, name)).mtimeMs }))
        .sort((a, b) => b.at - a.at);
      for (const d of dirs.slice(KEEP_MODELS)) rmSync(join(this.opts.cacheDir, d.name), { recursive: true, force: true });
    } catch {
      // a cache we cannot tidy is still a cache
    }
  }
}
