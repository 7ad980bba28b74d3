import type { Manual } from '../model/types.js';

/** Manuals. Every read takes the owner ids the caller may see: isolation is enforced here too. */
export interface ManualRepo {
  create(manual: Manual): Promise<void>;
  get(id: string, visibleOwners: readonly string[]): Promise<Manual | null>;
  list(visibleOwners: readonly string[]): Promise<Manual[]>;
  /** Every owner's manuals still in quarantine, newest first: for admins only (the caller checks). */
  listQuarantined(): Promise<Manual[]>;
  findByHash(ownerId: string, contentHash: string): Promise<Manual | null>;
  update(id: string, patch: Partial<Omit<Manual, 'id' | 'ownerId'>>): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** How many manuals (any owner) point at a blob: blobs are shared by content hash. */
  countByBlobKey(blobKey: string): Promise<number>;
}
