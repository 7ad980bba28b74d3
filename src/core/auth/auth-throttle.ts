import { createHash } from 'node:crypto';
import { errors } from '../errors.js';
import type { AuthThrottle } from '../ports/auth-throttle.js';
import { noMetrics, type Metrics } from '../ports/metrics.js';
import type { RateCounter, RateLimitState, RateLimitStore } from '../ports/rate-limit-store.js';

export interface AuthThrottleSettings {
  /** LoginMaxConsecutiveFailures: per email + client address. */
  maxConsecutiveFailures: number;
  /** LoginLockoutMinutes: how long that pair is refused once over. */
  lockoutMinutes: number;
  /** LoginMaxFailuresPerIpPerDay: any email, one address. */
  maxFailuresPerIpPerDay: number;
  /** SignupRequestsPerIpPerHour. */
  signupsPerIpPerHour: number;
}

const DAY = 86_400;
const retryAfter = (s: RateLimitState) => Math.max(1, Math.ceil(s.resetMs / 1000));
// Emails stay out of the store (and its keys stay short): the counter is keyed by a hash.
const pairKey = (email: string, ip: string) => `${createHash('sha256').update(email).digest('hex').slice(0, 32)}|${ip}`;

/**
 * rate-limiter-flexible's "login endpoint protection" pattern over the RateLimitStore port: a slow
 * counter of failures per address per day, and consecutive failures per email + address with a
 * lockout. Attempts are counted *before* the password is checked, atomically in the store, so many
 * parallel guesses cannot all slip through before the first failure is recorded; a success gives its
 * points back. Keyed by address too, so the owner signing in from elsewhere is not locked out by an
 * attacker, and unknown emails are counted exactly like known ones (nothing tells them apart).
 */
export class CounterAuthThrottle implements AuthThrottle {
  private readonly pair: RateCounter;
  private readonly perIp: RateCounter;
  private readonly signups: RateCounter;

  constructor(
    store: RateLimitStore,
    settings: AuthThrottleSettings,
    private readonly metrics: Metrics = noMetrics,
  ) {
    this.pair = store.counter({
      name: 'login-pair',
      points: settings.maxConsecutiveFailures,
      // Failures a day apart are not a brute force at any useful speed; the window bounds memory too.
      windowSeconds: DAY,
      blockSeconds: Math.max(1, Math.round(settings.lockoutMinutes * 60)),
    });
    this.perIp = store.counter({ name: 'login-ip', points: settings.maxFailuresPerIpPerDay, windowSeconds: DAY });
    this.signups = store.counter({ name: 'signup-ip', points: settings.signupsPerIpPerHour, windowSeconds: 3600 });
  }

  async beforeLogin(email: string, clientIp: string): Promise<void> {
    const ip = await this.perIp.consume(clientIp);
    if (!ip.allowed) this.reject('login', 'Too many failed sign-in attempts from this address; try again later', ip);
    const pair = await this.pair.consume(pairKey(email, clientIp));
    if (!pair.allowed) this.reject('login', 'Too many failed sign-in attempts; try again later', pair);
  }

  async loginSucceeded(email: string, clientIp: string): Promise<void> {
    await Promise.all([this.pair.delete(pairKey(email, clientIp)), this.perIp.reward(clientIp)]);
  }

  async beforeSignup(clientIp: string): Promise<void> {
    const s = await this.signups.consume(clientIp);
    if (!s.allowed) this.reject('signup', 'Too many sign-ups from this address; try again later', s);
  }

  private reject(scope: string, message: string, state: RateLimitState): never {
    this.metrics.count('rate_limit_rejections_total', { scope });
    throw errors.rateLimited(message, retryAfter(state));
  }
}
