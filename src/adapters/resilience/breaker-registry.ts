import type { BreakerStatus, Breakers } from '../../core/ports/breakers.js';
import type { Logger } from '../../core/ports/logger.js';
import type { Metrics } from '../../core/ports/metrics.js';
import { ResiliencePolicy, type BreakerTransition, type PolicyOptions } from './resilience-policy.js';

/**
 * Every policy with a breaker, by service name: /health/deep lists them, the admin route resets one.
 * Each transition is logged once (warn when it opens, info otherwise; the log field is `dependency`,
 * since `service` is the application's name on every line) and counted as
 * `breaker_transitions_total{service, to}`.
 */
export class BreakerRegistry implements Breakers {
  private readonly policies = new Map<string, ResiliencePolicy>();
  private readonly log: Logger;

  constructor(private readonly deps: { logger: Logger; metrics: Metrics }) {
    this.log = deps.logger.child({ component: 'circuit-breaker' });
  }

  /** Builds a policy; its breaker (if it has one) is registered under `options.service`. */
  policy(options: Omit<PolicyOptions, 'onTransition'>): ResiliencePolicy {
    if (this.policies.has(options.service)) throw new Error(`Two policies for ${options.service}`);
    const policy = new ResiliencePolicy({ ...options, onTransition: (t) => this.transition(t) });
    if (options.breaker) this.policies.set(options.service, policy);
    return policy;
  }

  list(): BreakerStatus[] {
    return [...this.policies.values()].map((p) => p.status()!);
  }

  status(service: string): BreakerStatus | null {
    return this.policies.get(service)?.status() ?? null;
  }

  reset(service: string): boolean {
    return this.policies.get(service)?.reset() ?? false;
  }

  private transition(t: BreakerTransition): void {
    this.deps.metrics.count('breaker_transitions_total', { service: t.service, to: t.to });
    const fields = { dependency: t.service, from: t.from, to: t.to, failures: t.failures, ...(t.reason ? { reason: t.reason } : {}) };
    if (t.to === 'open') this.log.warn(fields, `circuit breaker of ${t.service} opened: calls fail at once until a trial call succeeds`);
    else this.log.info(fields, `circuit breaker of ${t.service} ${t.to === 'closed' ? 'closed' : t.to.replace('_', '-')}`);
  }
}
