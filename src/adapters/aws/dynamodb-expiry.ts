/**
 * Expiry helpers of the DynamoDB adapters of the users, rateLimits and errorTracking tables (paging,
 * batches and the failed-condition test are dynamodb-items.ts').
 *
 * Expiry: DynamoDB's TTL (`expires_at`, whole epoch seconds) deletes lazily, up to ~48 h late, and
 * dynalite never does, so every reader also checks expiry itself. Where a lifetime is shorter than
 * a few seconds (nonces, rate windows) the check uses `expires_ms` (epoch ms), which TTL ignores.
 */
import { KEY } from './dynamodb-tables.js';

/** The TTL attribute for an item that may be deleted after `ms` (epoch ms): whole seconds, rounded up. */
export const ttlAt = (ms: number): number => Math.ceil(ms / 1000);

/** True when the item's TTL (or its precise `expires_ms`) has passed: it is gone for readers. */
export function isExpired(item: Record<string, unknown> | undefined, nowMs = Date.now()): boolean {
  if (!item) return true;
  const precise = item.expires_ms;
  if (typeof precise === 'number') return precise <= nowMs;
  const ttl = item[KEY.ttl];
  return typeof ttl === 'number' && ttl * 1000 <= nowMs;
}

/** `days` in ms. */
export const daysMs = (days: number): number => days * 86_400_000;
