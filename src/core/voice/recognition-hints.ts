import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { RecognitionCorpus } from '../ports/recognition-corpus.js';

export interface Hints {
  /** Distinctive terms of the caller's manuals (product names, acronyms), most telling first. */
  hints: string[];
  /** Passages of those manuals (for a recogniser that builds a language model from them). */
  corpus: string[];
}

/**
 * What the recogniser is told about the caller's manuals. Memoised briefly per owner set: asking
 * the index on every spoken question would cost more than the recognition itself, and a new
 * manual only has to show up within a minute. The same arrays are handed out while memoised, so
 * a recogniser can cache what it derives from them by identity.
 */
export class RecognitionHints {
  private readonly memo = new Map<string, { at: number; value: Promise<Hints> }>();

  constructor(
    private readonly sources: { kb?: Pick<KnowledgeBase, 'vocabulary'>; corpus?: RecognitionCorpus },
    private readonly opts: { terms?: number; corpusWords?: number; ttlMs?: number; now?: () => number } = {},
  ) {}

  async for(owners: readonly string[]): Promise<Hints> {
    const now = (this.opts.now ?? Date.now)();
    const key = [...owners].sort().join('\u0000');
    const hit = this.memo.get(key);
    if (hit && now - hit.at < (this.opts.ttlMs ?? 60_000)) return hit.value;
    const value = this.load(owners);
    this.memo.set(key, { at: now, value });
    if (this.memo.size > 1000) this.memo.delete(this.memo.keys().next().value!);
    return value;
  }

  private async load(owners: readonly string[]): Promise<Hints> {
    // Hints only improve recognition: a failing source must not fail the question.
    const [hints, corpus] = await Promise.all([
      this.sources.kb?.vocabulary?.(owners, this.opts.terms ?? 1500).catch(() => []) ?? [],
      this.sources.corpus?.passages(owners, this.opts.corpusWords ?? 200_000).catch(() => []) ?? [],
    ]);
    return { hints, corpus };
  }
}
