/**
 * The versions of the manual sets a question can see, and the answer cached under them
 * (`versionedAnswerKey(base, versions)`), read together: on Redis one round trip (a script) instead
 * of two, a large part of what a cached answer waits for. Throws when either cannot be read (the use
 * case then answers without the cache). Without one, the use case reads the two in turn
 * (twoStepLookup).
 */
export interface CachedAnswerLookup {
  lookup(owners: readonly string[], base: string): Promise<{ key: string; value: string | null }>;
}
