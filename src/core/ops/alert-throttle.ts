import type { Clock } from '../ports/clock.js';

export const ALERT_WINDOW_MS = 15 * 60_000;

/**
 * One alert per fingerprint per window. An alert inside the window is suppressed and counted; the
 * count rides on the next alert that goes out for that fingerprint. In memory, per process: after a
 * restart, or in another cluster worker, the first alert goes out again.
 */
export class AlertThrottle {
  private readonly last = new Map<string, { sentAt: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = ALERT_WINDOW_MS,
    /** Fingerprints remembered at most (oldest forgotten first); a forgotten one alerts again. */
    private readonly maxKeys = 10_000,
  ) {}

  /** `send: true` with how many were suppressed since the last one sent, or `send: false` (counted). */
  admit(fingerprint: string): { send: true; suppressed: number } | { send: false } {
    const now = this.clock.now().getTime();
    const seen = this.last.get(fingerprint);
    if (seen && now - seen.sentAt < this.windowMs) {
      seen.suppressed++;
      return { send: false };
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.delete(fingerprint); // re-inserted last: the Map's order is oldest-sent first
    this.last.set(fingerprint, { sentAt: now, suppressed: 0 });
    if (this.last.size > this.maxKeys) this.last.delete(this.last.keys().next().value!);
    return { send: true, suppressed };
  }
}
