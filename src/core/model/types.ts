/** Domain types shared by every use case and adapter. No I/O here. */

/** Owner id of manuals in the shared library (loaded by an admin via /api/bootstrap). */
export const SHARED_OWNER = 'shared';

export interface User {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  isAdmin: boolean;
  createdAt: string; // ISO 8601
}

/** Lifecycle: queued -> processing -> completed | failed. A manual is keyword-searchable once
 * `chunks > 0` (text indexed) and gains semantic search as `embeddedChunks` reaches `chunks`. */
export type ManualStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface Manual {
  id: string;
  ownerId: string; // a user id, or SHARED_OWNER
  name: string; // display name (usually the file name)
  fileName: string;
  contentHash: string; // sha256 hex of the PDF bytes
  blobKey: string; // where the PDF lives in the BlobStore
  size: number; // bytes
  pages: number; // 0 until extracted
  chunks: number;
  embeddedChunks: number;
  status: ManualStatus;
  uploadDate: string; // ISO 8601
  error: string | null; // failure reason code when status = failed
  source: 'upload' | 'url' | 'bootstrap';
  /** Why the upload inspection flagged the PDF (JavaScript, embedded files...); null when clean. */
  quarantineReason: string | null;
  /** When an admin released the quarantined file; null while it is withheld (or never flagged). */
  quarantineReleasedAt: string | null;
}

/** Text of one physical page of a PDF. */
export interface PageText {
  pageNumber: number; // 1-based physical page index
  label: string | null; // printed page label where the PDF defines one ("iv", "42")
  text: string; // NFKC-normalised text, lines joined with \n
}

/** A passage indexed for retrieval. Never crosses a page. */
export interface Chunk {
  id: string;
  manualId: string;
  ownerId: string;
  pageNumber: number;
  pageLabel: string | null;
  heading: string | null; // nearest section heading, for context
  text: string; // at most ~80 words
  ordinal: number; // position within the manual
}

export interface SearchHit {
  chunk: Chunk;
  manualName: string;
  score: number; // fused relevance, higher is better, 0..1
}

/** A citation as returned by the API (field names of the original Manuel API). */
export interface Source {
  manual_id: string;
  manual_name: string;
  page_number: number;
  page_label: string | null;
  chunk_text: string;
  score: number;
}

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed';

export interface Job {
  id: string;
  kind: 'ingest';
  manualId: string;
  ownerId: string;
  status: JobStatus;
  stage: string; // e.g. queued, extracting, indexing, embedding, done
  attempts: number;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  statistics: Record<string, number>;
  failureReasons: string[];
  /** When an attempt of this run first failed (retried since), or null. */
  firstFailedAt?: string | null;
}

export type UsageOperation = 'query' | 'transcribe' | 'upload';

export interface UsageEvent {
  userId: string;
  operation: UsageOperation;
  at: string; // ISO 8601
  costEur: number;
  detail?: Record<string, unknown>;
}
