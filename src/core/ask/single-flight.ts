/**
 * One computation per key at a time: callers that ask for a key while its computation runs share
 * its result instead of starting their own. For answers: many people (or one busy client) asking a
 * popular question the moment it is not in the cache would otherwise each run retrieval and the
 * answer writer for the same answer, and queue behind each other. Per process; the cache shares
 * finished answers across processes.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): { shared: boolean; value: Promise<T> } {
    const existing = this.running.get(key);
    if (existing) return { shared: true, value: existing };
    const value = Promise.resolve()
      .then(work)
      .finally(() => this.running.delete(key));
    this.running.set(key, value);
    return { shared: false, value };
  }

  /** Is the key being computed now (a caller would share it)? */
  has(key: string): boolean {
    return this.running.has(key);
  }

  /** Keys being computed now (tests, metrics). */
  get size(): number {
    return this.running.size;
  }
}
