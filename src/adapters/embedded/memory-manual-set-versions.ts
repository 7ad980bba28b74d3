import type { ManualSetVersions } from '../../core/ports/manual-set-versions.js';

/** Versions in one process: for tests, and for a single process with its own in-memory cache. */
export class MemoryManualSetVersions implements ManualSetVersions {
  private readonly versions = new Map<string, number>();

  async read(owners: readonly string[]): Promise<number[]> {
    return owners.map((o) => this.versions.get(o) ?? 0);
  }

  async bump(owner: string): Promise<void> {
    this.versions.set(owner, (this.versions.get(owner) ?? 0) + 1);
  }
}
