/**
 * Counters in fixed windows, shared by every process that uses the same store (memory for one
 * process, Redis for several, DynamoDB later). The adapters wrap rate-limiter-flexible's stores.
 */
export interface RateLimitPolicy {
  /** Names the counters (part of the key): "ip", "user", "login-pair", ... */
  name: string;
  /** Points a key may consume per window. */
  points: number;
  windowSeconds: number;
  /** Once over, the key stays over for this long (a lockout) instead of until the window ends. */
  blockSeconds?: number;
}

export interface RateLimitState {
  /** Consumed points (after this call) are within the policy. */
  allowed: boolean;
  consumed: number;
  remaining: number;
  /** Until the window (or the block) ends. */
  resetMs: number;
  /** False when the store was unreachable and the fail mode let the call through: nothing was counted. */
  counted: boolean;
}

export interface RateCounter {
  readonly policy: RateLimitPolicy;
  /** Adds `points` (default 1) to the key's window and answers the state after: one atomic step, also across processes. */
  consume(key: string, points?: number): Promise<RateLimitState>;
  /** Gives points back (a login that turned out fine). */
  reward(key: string, points?: number): Promise<void>;
  /** Forgets the key (a success resets consecutive failures). */
  delete(key: string): Promise<void>;
}

export interface RateLimitStore {
  counter(policy: RateLimitPolicy): RateCounter;
}
