/** Replay protection for signed requests: each nonce is accepted once within its lifetime. */
export interface NonceStore {
  /**
   * Remembers `nonce` for `ttlSeconds` and answers true when it was new, false when it was already
   * there (a replay). Check and remember are one atomic step, also across processes sharing a store.
   */
  checkAndRemember(nonce: string, ttlSeconds: number): Promise<boolean>;
}
