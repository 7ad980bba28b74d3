/**
 * A version per manual owner (a user, or the shared library), bumped on every change to that owner's
 * manuals. Answer-cache keys fold in the versions of the owners a question can see, so a change
 * invalidates by making new keys: nothing is ever scanned or deleted.
 */
export interface ManualSetVersions {
  /** The versions of these owners, in the same order (0 for an owner never bumped). */
  read(owners: readonly string[]): Promise<number[]>;
  bump(owner: string): Promise<void>;
}
