import type { Manual } from '../model/types.js';
import type { CachedAnswerLookup } from '../ports/answer-lookup.js';
import type { Logger } from '../ports/logger.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import type { ManualSetVersions } from '../ports/manual-set-versions.js';

/**
 * A ManualRepo that bumps the owner's manual-set version after every write: upload, each ingestion
 * step, failure, deletion, and so the shared library's populate and clear too. Every path that changes
 * what a question can find goes through the repo, so none can forget to invalidate the answer cache.
 *
 * A bump that fails (Redis down) is kept and retried before the next read of versions: until it
 * lands, this process answers without the cache, and a timer retries it so other processes see it too.
 */
export class VersionedManualRepo implements ManualRepo {
  private readonly pending = new Set<string>();

  constructor(
    private readonly inner: ManualRepo,
    private readonly versions: ManualSetVersions,
    private readonly ownerOf: (id: string) => Promise<string | null>,
    private readonly logger: Logger,
  ) {}

  /** The versions port to give the answer use case: reads first retry the bumps that failed. */
  readonly readVersions: ManualSetVersions = {
    read: async (owners) => {
      await this.settled(owners);
      return this.versions.read(owners);
    },
    bump: (owner) => this.bump(owner),
  };

  /** A lookup that reads the versions itself (one round trip), under the same rule as readVersions. */
  lookupThrough(lookup: CachedAnswerLookup): CachedAnswerLookup {
    return {
      lookup: async (owners, base) => {
        await this.settled(owners);
        return lookup.lookup(owners, base);
      },
    };
  }

  /** Retries the bumps that failed; throws while one of these owners still misses its bump. */
  private async settled(owners: readonly string[]): Promise<void> {
    if (this.pending.size > 0) await this.flush();
    // Versions that missed a bump would give keys of answers now stale: no cache until it lands.
    if (owners.some((o) => this.pending.has(o))) throw new Error('manual-set version bump pending');
  }

  async create(manual: Manual): Promise<void> {
    await this.inner.create(manual);
    await this.bump(manual.ownerId);
  }

  async update(id: string, patch: Partial<Omit<Manual, 'id' | 'ownerId'>>): Promise<void> {
    await this.inner.update(id, patch);
    const owner = await this.ownerOf(id);
    if (owner !== null) await this.bump(owner);
  }

  async delete(id: string): Promise<boolean> {
    const owner = await this.ownerOf(id);
    const deleted = await this.inner.delete(id);
    if (owner !== null) await this.bump(owner);
    return deleted;
  }

  get(id: string, visibleOwners: readonly string[]) {
    return this.inner.get(id, visibleOwners);
  }
  list(visibleOwners: readonly string[]) {
    return this.inner.list(visibleOwners);
  }
  listQuarantined() {
    return this.inner.listQuarantined();
  }
  findByHash(ownerId: string, contentHash: string) {
    return this.inner.findByHash(ownerId, contentHash);
  }
  countByBlobKey(blobKey: string) {
    return this.inner.countByBlobKey(blobKey);
  }

  private async bump(owner: string): Promise<void> {
    try {
      await this.versions.bump(owner);
      this.pending.delete(owner);
    } catch (e) {
      // Never fail an upload or an ingest step because the cache is down.
      if (!this.pending.has(owner)) this.logger.warn({ owner, err: { message: (e as Error).message } }, 'manual-set version bump failed; will retry');
      this.pending.add(owner);
      this.retryLater();
    }
  }

  private retrying: NodeJS.Timeout | null = null;

  /** Other processes read the versions too: land the bump once Redis is back, not only on our next read. */
  private retryLater(): void {
    if (this.retrying) return;
    this.retrying = setTimeout(() => {
      this.retrying = null;
      void this.flush();
    }, 1000);
    this.retrying.unref();
  }

  private async flush(): Promise<void> {
    for (const owner of [...this.pending]) await this.bump(owner);
  }
}
