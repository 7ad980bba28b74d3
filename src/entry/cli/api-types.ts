import type { Source } from '../../core/model/types.js';
/** The parts of the HTTP API answers the CLI reads (ARCHITECTURE.md: HTTP API). Extra fields pass through to --json. */

export interface TokenResponse {
  id_token?: string;
  access_token: string;
  refresh_token: string;
  expires_in?: number;
}

export interface ManualSummary {
  id: string;
  name: string;
  upload_date: string;
  size: number;
  pages: number;
  status: string;
  [key: string]: unknown;
}

export interface ManualList {
  manuals: ManualSummary[];
  count: number;
}

export interface SubmitResponse {
  manual_id: string;
  job_id: string;
  status: string;
  [key: string]: unknown;
}

export interface IngestionStatus {
  job_id: string;
  status: string;
  manual_id: string;
  stage?: string;
  progress?: number;
  statistics?: Record<string, number>;
  failure_reasons?: string[];
  [key: string]: unknown;
}

/** A citation as the API returns it (the core's `Source`, same field names). */
export type SourceRef = Source;

export interface QueryResponse {
  answer: string;
  question: string;
  sources?: SourceRef[];
  context_found?: boolean;
  answer_source?: 'model' | 'extractive' | 'extractive-fallback';
  transcription?: { text: string; confidence?: number; duration_s?: number; engine?: string };
  [key: string]: unknown;
}

/** GET /api/admin/dlq (admin). */
export interface DeadLetterDto {
  id: string;
  job_id: string;
  kind: string;
  manual_id: string | null;
  manual_name: string | null;
  manual_status: string | null;
  error_type: string;
  error: string;
  attempts: number;
  retries: number;
  dead_at: string;
  [key: string]: unknown;
}

export interface DeadLetterList {
  dead_letters: DeadLetterDto[];
  count: number;
  size: number;
}
