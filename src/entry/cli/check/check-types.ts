import type { CheckHttp } from './check-http.js';
import type { CleanupRegistry } from './cleanup.js';
import type { OpenApiDoc } from './openapi-check.js';

export type Profile = 'minimal' | 'full';
export type Verdict = 'pass' | 'fail' | 'n/a';

/** One row of the plan's success criteria. */
export interface Criterion {
  id: string;
  criterion: string;
  measured: string;
  status: Verdict;
  reason: string;
}

export interface CheckOptions {
  url: string;
  adminToken?: string;
  apiKey?: string;
  signingKey?: string;
  profile: Profile;
  durationMs: number;
  concurrency: number;
  maxRequests: number;
  requestTimeoutMs: number;
}

/** A throwaway account the check signed up (and its manual, once uploaded). */
export interface CheckUser {
  email: string;
  id: string;
  token: string;
  refreshToken: string;
  /** Set by the cleanup once the server deleted the account (and it was shown to be gone). */
  deleted?: boolean;
}

/** What the phases share: the client, the server's own API description, what to clean up, notes. */
export interface CheckRun {
  options: CheckOptions;
  http: CheckHttp;
  doc: OpenApiDoc;
  cleanup: CleanupRegistry;
  /** Progress lines (stderr). */
  note(message: string): void;
  /** Set once Ctrl+C was pressed: phases stop starting new work. */
  stopping(): boolean;
}

export const row = (id: string, criterion: string, status: Verdict, measured: string, reason: string): Criterion => ({ id, criterion, measured, status, reason });
