/** Response shapes of the Manuel HTTP API (field names of the original Manuel API). */

export interface SessionTokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user?: { id: string; email: string; name: string | null; is_admin: boolean };
}

export type { ManualStatus as Status } from '../../../src/core/model/types';
import type { ManualStatus as Status } from '../../../src/core/model/types';

export interface ManualSummary {
  id: string;
  name: string;
  upload_date: string;
  size: number;
  pages: number;
  status: Status;
  chunks?: number;
  error?: string | null;
  quarantined?: boolean;
  quarantine_reason?: string | null;
  [extra: string]: unknown;
}

export interface ManualList {
  manuals: ManualSummary[];
  count: number;
}

export interface Accepted {
  manual_id: string;
  job_id: string;
  status: Status;
  duplicate?: boolean;
}

export interface JobStatus {
  job_id: string;
  status: Status;
  manual_id: string;
  stage?: string;
  statistics?: Record<string, number>;
  failure_reasons?: string[];
  [extra: string]: unknown;
}

/** A citation: the server's own type, so the two cannot drift apart. */
export type { Source } from '../../../src/core/model/types';
import type { Source } from '../../../src/core/model/types';

export interface QueryAnswer {
  answer: string;
  question: string;
  sources: Source[];
  context_found: boolean;
  cache_status?: string;
  /** `model`, `extractive`, or `extractive-fallback` when the answer model failed and the passage was quoted instead. */
  answer_source?: 'model' | 'extractive' | 'extractive-fallback';
  response_time_ms?: number;
  /** Voice questions: the recognised text (a string, or an object with `text`). */
  transcription?: string | { text: string; confidence?: number; engine?: string };
  cost_info?: Record<string, unknown>;
  usage_info?: Record<string, unknown>;
}

export interface ErrorBody {
  error: string;
  error_type: string;
  request_id?: string;
  details?: Record<string, unknown>;
  usage_info?: Record<string, unknown>;
  retry_after_seconds?: number;
}
