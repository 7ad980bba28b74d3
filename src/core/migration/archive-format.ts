import { createHash } from 'node:crypto';
import type { UsageOperation } from '../model/types.js';

/**
 * The portable archive of `manuel export` / `manuel import --in` (docs/decisions/0028): the records
 * the admin API hands out and takes back. Emails, not ids, tie records together: ids are minted by
 * each deployment (a Cognito `sub` is not a local UUID), so an import maps every email to its own id.
 */
export const ARCHIVE_FORMAT = 'manuel-export';
export const ARCHIVE_VERSION = 1;

/** Where a user's password hash can be verified; null: the source keeps none (Cognito holds it). */
export type HashScheme = 'scrypt';

export interface ExportedUser {
  email: string;
  name: string | null;
  is_admin: boolean;
  created_at: string;
  password_hash: string | null;
  hash_scheme: HashScheme | null;
}

export interface ExportedManual {
  /** The source's ids of the manual and its owner (`shared` for the library): to fetch its file from the source; never reused on import. */
  id: string;
  owner_id: string;
  /** null for the shared library. */
  owner_email: string | null;
  shared: boolean;
  name: string;
  file_name: string;
  content_hash: string;
  size: number;
  upload_date: string;
  source: 'upload' | 'url' | 'bootstrap';
  status: string;
  quarantine_reason: string | null;
}

export interface ExportedUsageEvent {
  user_email: string;
  operation: UsageOperation;
  at: string;
  cost_eur: number;
  detail: Record<string, unknown> | null;
}

/** The user's quota counters of the current UTC day and month when exported (informative). */
export interface ExportedCounters {
  user_email: string;
  at: string;
  day: { count: number; cost_eur: number };
  month: { count: number; cost_eur: number };
}

/** An API key's identity only: its secret is sealed with the source's server secret and never leaves. */
export interface ExportedApiKey {
  key_id: string;
  user_email: string;
  name: string;
  secret_sha256: string;
  created_at: string;
}

/** JSON with sorted keys: the same value gives the same text whatever the store's key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * What makes a usage event the same event on both sides (the stores keep no portable event id):
 * operation, instant, cost and detail. Two identical events of one user in the same millisecond
 * are told apart by counting (a multiset), so an import run twice adds each exactly once.
 */
export function usageEventKey(e: { operation: string; at: string; cost_eur: number; detail: Record<string, unknown> | null }): string {
  const at = new Date(e.at).toISOString();
  return createHash('sha256').update(canonicalJson([e.operation, at, Math.round(e.cost_eur * 1e9), e.detail ?? null])).digest('hex');
}
