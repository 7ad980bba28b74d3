export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

/** The circuit breakers of the outbound dependencies (answer endpoint, transcription, Redis, URL import, ...). */
export interface BreakerStatus {
  service: string;
  state: BreakerState;
  /** Consecutive failures counted by the breaker now. */
  failures: number;
  /** When it last opened (ISO 8601), if ever. */
  openedAt: string | null;
}

export interface Breakers {
  list(): BreakerStatus[];
  /** Closes the named breaker; false when there is no such service. */
  reset(service: string): boolean;
}
