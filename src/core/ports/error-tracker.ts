import type { Severity } from './notifier.js';

/** One failure to record: a 5xx response or a failed job. */
export interface ErrorOccurrence {
  /** The error code (`internal_error`, `service_unavailable`, `pdf_unreadable`, ...). */
  errorType: string;
  message: string;
  /** Route template (`POST /api/query`) or job kind (`job:ingest`). */
  where: string;
  status?: number;
  requestId?: string;
  /** Default: from errorType and status (critical / high / medium, see Severity). */
  severity?: Severity;
  at?: Date;
}

/** All occurrences under one fingerprint (error type + normalised message + where). */
export interface ErrorRecord {
  fingerprint: string;
  error_type: string;
  message: string;
  where: string;
  severity: Severity;
  count: number;
  first_seen: string;
  last_seen: string;
  sample_request_id: string | null;
}

/** Error tracking: grouped by fingerprint, kept ErrorRetentionDays. */
export interface ErrorTracker {
  /** Records one occurrence; returns its record after the update. Never throws for a storage failure. */
  record(occurrence: ErrorOccurrence): Promise<ErrorRecord | null>;
  /** Newest (last_seen) first. */
  list(opts?: { severity?: Severity; limit?: number; since?: Date }): Promise<ErrorRecord[]>;
  /** Deletes records last seen before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}
