import type { KnowledgeBase } from '../ports/knowledge-base.js';

/**
 * The distinctive words of the caller's manuals, handed to the recogniser as hints. Memoised
 * briefly per owner set: asking the index on every spoken question would cost more than the
 * recognition itself, and a new manual only has to show up within a minute.
 */
export class VocabularyHints {
  private readonly memo = new Map<string, { at: number; words: Promise<string[]> }>();

  constructor(
    private readonly kb: Pick<KnowledgeBase, 'vocabulary'>,
    private readonly opts: { limit?: number; ttlMs?: number; now?: () => number } = {},
  ) {}

  async for(owners: readonly string[]): Promise<string[]> {
    if (!this.kb.vocabulary) return [];
    const now = (this.opts.now ?? Date.now)();
    const key = [...owners].sort().join('\u0000');
    const hit = this.memo.get(key);
    if (hit && now - hit.at < (this.opts.ttlMs ?? 60_000)) return hit.words;
    const words = this.kb.vocabulary(owners, this.opts.limit ?? 1500).catch(() => [] as string[]);
    this.memo.set(key, { at: now, words });
    if (this.memo.size > 1000) this.memo.delete(this.memo.keys().next().value!);
    return words;
  }
}
