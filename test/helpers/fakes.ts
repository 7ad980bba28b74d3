/**
 * In-memory fakes of the core ports, for unit tests of use cases. Each repo/queue fake runs the same
 * contract suite as its SQLite sibling (test/contract), so behaviour a use case relies on is real.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { errors } from '../../src/core/errors.js';
import type { Chunk, Job, Manual, PageText, SearchHit, UsageEvent, UsageOperation, User } from '../../src/core/model/types.js';
import type { ApiKeyRecord, ApiKeyRepo } from '../../src/core/ports/api-key-repo.js';
import type { SecretBox } from '../../src/core/ports/secret-box.js';
import type { BlobStore } from '../../src/core/ports/blob-store.js';
import type { Clock } from '../../src/core/ports/clock.js';
import type { Embedder } from '../../src/core/ports/embedder.js';
import type { JobQueue } from '../../src/core/ports/job-queue.js';
import type { KnowledgeBase, SearchQuery } from '../../src/core/ports/knowledge-base.js';
import type { Logger } from '../../src/core/ports/logger.js';
import type { ManualRepo } from '../../src/core/ports/manual-repo.js';
import type { PdfInspection, PdfInspector } from '../../src/core/ports/pdf-inspector.js';
import type { PdfInfo, PdfReader } from '../../src/core/ports/pdf-reader.js';
import type { UsageCounts, UsageRepo } from '../../src/core/ports/usage-repo.js';
import type { CostLedger, CostLine } from '../../src/core/ports/cost-ledger.js';
import type { UserRepo } from '../../src/core/ports/user-repo.js';

const clone = <T>(v: T): T => structuredClone(v);

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = Date.parse('2025-03-10T12:00:00.000Z')) {}
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

/** Logger that keeps its lines, so a test can assert what was logged. */
export class MemoryLogger implements Logger {
  constructor(
    readonly lines: { level: string; obj: object | string; msg?: string }[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  private log(level: string, obj: object | string, msg?: string) {
    this.lines.push({ level, obj: typeof obj === 'string' ? obj : { ...this.bindings, ...obj }, msg });
  }
  info(obj: object | string, msg?: string) { this.log('info', obj, msg); }
  warn(obj: object | string, msg?: string) { this.log('warn', obj, msg); }
  error(obj: object | string, msg?: string) { this.log('error', obj, msg); }
  debug(obj: object | string, msg?: string) { this.log('debug', obj, msg); }
  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger(this.lines, { ...this.bindings, ...bindings });
  }
}

export class InMemoryUserRepo implements UserRepo {
  private readonly users = new Map<string, User>();
  async create(u: User) {
    if ([...this.users.values()].some((x) => x.email.toLowerCase() === u.email.toLowerCase())) throw errors.conflict('An account with this email already exists');
    this.users.set(u.id, clone(u));
  }
  async byId(id: string) { return clone(this.users.get(id) ?? null); }
  async byEmail(email: string) { return clone([...this.users.values()].find((u) => u.email.toLowerCase() === email.toLowerCase()) ?? null); }
  async count() { return this.users.size; }
  async list() { return [...this.users.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)).map(clone); }
  async delete(id: string) { return this.users.delete(id); }
}

export class InMemoryApiKeyRepo implements ApiKeyRepo {
  private readonly keys = new Map<string, ApiKeyRecord>();
  async create(r: ApiKeyRecord) {
    if (this.keys.has(r.keyId) || [...this.keys.values()].some((k) => k.secretSha256 === r.secretSha256)) throw errors.conflict('This API key already exists');
    this.keys.set(r.keyId, clone(r));
  }
  async byId(keyId: string) { return clone(this.keys.get(keyId) ?? null); }
  async listForUser(userId: string) {
    return [...this.keys.values()].filter((k) => k.userId === userId).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId)).map(clone);
  }
  async listAll() {
    return [...this.keys.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId)).map(clone);
  }
  async delete(userId: string, keyId: string) {
    return this.keys.get(keyId)?.userId === userId && this.keys.delete(keyId);
  }
}

/** Not encryption: a reversible wrapping that, like the real box, refuses another context or server secret. */
export class FakeSecretBox implements SecretBox {
  constructor(private readonly serverSecret = 'fake') {}
  seal(plaintext: string, context: string) { return `${this.serverSecret}|${context}|${Buffer.from(plaintext).toString('base64')}`; }
  open(sealed: string, context: string) {
    const [secret, ctx, data] = sealed.split('|');
    if (secret !== this.serverSecret || ctx !== context || data === undefined) throw new Error('cannot open');
    return Buffer.from(data, 'base64').toString();
  }
}

export class InMemoryManualRepo implements ManualRepo {
  readonly rows = new Map<string, Manual>();
  async create(m: Manual) {
    if (this.rows.has(m.id) || [...this.rows.values()].some((x) => x.ownerId === m.ownerId && x.contentHash === m.contentHash)) throw errors.conflict('This manual already exists');
    this.rows.set(m.id, clone(m));
  }
  async get(id: string, owners: readonly string[]) {
    const m = this.rows.get(id);
    return m && owners.includes(m.ownerId) ? clone(m) : null;
  }
  async list(owners: readonly string[]) {
    return [...this.rows.values()].filter((m) => owners.includes(m.ownerId)).reverse().sort((a, b) => b.uploadDate.localeCompare(a.uploadDate)).map(clone);
  }
  async listQuarantined() {
    return (await this.list([...new Set([...this.rows.values()].map((m) => m.ownerId))])).filter((m) => m.quarantineReason !== null && m.quarantineReleasedAt === null);
  }
  async findByHash(ownerId: string, hash: string) {
    return clone([...this.rows.values()].find((m) => m.ownerId === ownerId && m.contentHash === hash) ?? null);
  }
  async update(id: string, patch: Partial<Omit<Manual, 'id' | 'ownerId'>>) {
    const m = this.rows.get(id);
    if (!m) return;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (m as unknown as Record<string, unknown>)[k] = v;
  }
  async delete(id: string) { return this.rows.delete(id); }
  async countByBlobKey(key: string) { return [...this.rows.values()].filter((m) => m.blobKey === key).length; }
}

interface QueuedJob { job: Job; leaseOwner: string | null; leaseUntil: number; runAfter: number; seq: number }

export class InMemoryJobQueue implements JobQueue {
  private readonly jobs = new Map<string, QueuedJob>();
  private seq = 0;
  /** Set to make the next enqueue throw (to test compensation in use cases). */
  failNextEnqueue = false;
  constructor(private readonly clock: Clock = { now: () => new Date() }) {}
  async enqueue(job: Job) {
    if (this.failNextEnqueue) {
      this.failNextEnqueue = false;
      throw new Error('queue unavailable');
    }
    this.jobs.set(job.id, { job: { firstFailedAt: null, ...clone(job), status: 'queued' }, leaseOwner: null, leaseUntil: 0, runAfter: 0, seq: this.seq++ });
  }
  async claim(workerId: string, leaseMs: number) {
    const now = this.clock.now().getTime();
    const q = [...this.jobs.values()]
      .filter((j) => (j.job.status === 'queued' && j.runAfter <= now) || (j.job.status === 'processing' && j.leaseUntil < now))
      .sort((a, b) => a.job.createdAt.localeCompare(b.job.createdAt) || a.seq - b.seq)[0];
    if (!q) return null;
    const iso = new Date(now).toISOString();
    Object.assign(q.job, { status: 'processing', attempts: q.job.attempts + 1, startedAt: q.job.startedAt ?? iso, updatedAt: iso });
    q.leaseOwner = workerId;
    q.leaseUntil = now + leaseMs;
    return clone(q.job);
  }
  async heartbeat(jobId: string, workerId: string, leaseMs: number, progress?: Partial<Pick<Job, 'stage' | 'statistics'>>) {
    const q = this.jobs.get(jobId);
    if (!q || q.job.status !== 'processing' || q.leaseOwner !== workerId) throw errors.conflict(`Lease on job ${jobId} was lost`);
    q.leaseUntil = this.clock.now().getTime() + leaseMs;
    q.job.updatedAt = this.clock.now().toISOString();
    if (progress?.stage) q.job.stage = progress.stage;
    if (progress?.statistics) q.job.statistics = clone(progress.statistics);
  }
  private finish(jobId: string, patch: Partial<Job>) {
    const q = this.jobs.get(jobId);
    if (!q) return;
    const iso = this.clock.now().toISOString();
    Object.assign(q.job, { finishedAt: iso, updatedAt: iso }, patch);
    q.leaseOwner = null;
  }
  async complete(jobId: string, statistics: Record<string, number>) { this.finish(jobId, { status: 'completed', stage: 'done', statistics: clone(statistics) }); }
  async fail(jobId: string, reasons: string[]) { this.finish(jobId, { status: 'failed', failureReasons: [...reasons] }); }
  async release(jobId: string, workerId: string, opts: { delayMs?: number; refundAttempt?: boolean; failed?: boolean } = {}) {
    const q = this.jobs.get(jobId);
    if (!q || q.job.status !== 'processing' || q.leaseOwner !== workerId) return;
    q.job.status = 'queued';
    q.job.updatedAt = this.clock.now().toISOString();
    if (opts.failed) q.job.firstFailedAt ??= q.job.updatedAt;
    q.job.attempts = Math.max(0, q.job.attempts - (opts.refundAttempt ? 1 : 0));
    q.leaseOwner = null;
    q.runAfter = this.clock.now().getTime() + (opts.delayMs ?? 0);
  }
  async requeue(jobId: string) {
    const q = this.jobs.get(jobId);
    if (!q || q.job.status !== 'failed') return null;
    const iso = this.clock.now().toISOString();
    Object.assign(q.job, { status: 'queued', stage: 'queued', attempts: 0, failureReasons: [], finishedAt: null, firstFailedAt: null, updatedAt: iso });
    q.leaseOwner = null;
    q.runAfter = 0;
    return clone(q.job);
  }
  async get(jobId: string, owners: readonly string[]) {
    const q = this.jobs.get(jobId);
    return q && owners.includes(q.job.ownerId) ? clone(q.job) : null;
  }
  async forManual(manualId: string) {
    return [...this.jobs.values()]
      .filter((q) => q.job.manualId === manualId)
      .sort((a, b) => b.job.createdAt.localeCompare(a.job.createdAt) || b.seq - a.seq)
      .map((q) => clone(q.job));
  }
  async deleteForManual(manualId: string) {
    let n = 0;
    for (const [id, q] of this.jobs) if (q.job.manualId === manualId && this.jobs.delete(id)) n++;
    return n;
  }
}

export class InMemoryBlobStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();
  async put(key: string, data: Buffer | Readable) {
    if (Buffer.isBuffer(data)) this.blobs.set(key, Buffer.from(data));
    else {
      const parts: Buffer[] = [];
      for await (const c of data) parts.push(Buffer.from(c as Buffer));
      this.blobs.set(key, Buffer.concat(parts));
    }
  }
  async get(key: string) { const b = this.blobs.get(key); return b ? Buffer.from(b) : null; }
  async stream(key: string) {
    const b = this.blobs.get(key);
    if (!b) return null;
    const { Readable } = await import('node:stream');
    return Readable.from([Buffer.from(b)]);
  }
  async delete(key: string) { return this.blobs.delete(key); }
  async exists(key: string) { return this.blobs.has(key); }
}

/** The event log in memory; its cost ledger is summed from the events (no retention of its own). */
export class InMemoryUsageRepo implements UsageRepo, CostLedger {
  readonly events: UsageEvent[] = [];
  private costLines(pick: (e: UsageEvent) => string | null): Array<CostLine & { key: string }> {
    const lines = new Map<string, CostLine & { key: string }>();
    for (const e of this.events) {
      const key = pick(e);
      if (key === null) continue;
      const l = lines.get(`${key}\n${e.operation}`) ?? { key, operation: e.operation, count: 0, costEur: 0 };
      l.count++;
      l.costEur += e.costEur;
      lines.set(`${key}\n${e.operation}`, l);
    }
    return [...lines.values()].sort((a, b) => a.key.localeCompare(b.key) || a.operation.localeCompare(b.operation));
  }
  async userTotals(userId: string, at: Date) {
    const day = at.toISOString().slice(0, 10);
    const strip = ({ key: _k, ...l }: CostLine & { key: string }): CostLine => l;
    return {
      day: this.costLines((e) => (e.userId === userId && e.at.startsWith(day) ? day : null)).map(strip),
      month: this.costLines((e) => (e.userId === userId && e.at.startsWith(day.slice(0, 7)) ? 'm' : null)).map(strip),
    };
  }
  async dailyTotals(fromDay: string, toDay: string) {
    return this.costLines((e) => (e.at.slice(0, 10) >= fromDay && e.at.slice(0, 10) <= toDay ? e.at.slice(0, 10) : null)).map(({ key, ...l }) => ({ day: key, ...l }));
  }
  async record(e: UsageEvent) { this.events.push({ ...clone(e), at: new Date(e.at).toISOString() }); }
  async totals(userId: string, sinceIso: string, operation?: UsageOperation): Promise<UsageCounts> {
    const since = new Date(sinceIso).toISOString();
    const out: UsageCounts = { count: 0, costEur: 0, byOperation: {} };
    for (const e of this.events) {
      if (e.userId !== userId || e.at < since || (operation && e.operation !== operation)) continue;
      out.count++;
      out.costEur += e.costEur;
      out.byOperation[e.operation] = (out.byOperation[e.operation] ?? 0) + 1;
    }
    return out;
  }
  async prune(beforeIso: string) {
    const before = new Date(beforeIso).toISOString();
    const kept = this.events.filter((e) => e.at >= before);
    const n = this.events.length - kept.length;
    this.events.splice(0, this.events.length, ...kept);
    return n;
  }
  async history(userId: string, sinceIso: string, untilIso: string) {
    const [since, until] = [new Date(sinceIso).toISOString(), new Date(untilIso).toISOString()];
    return this.events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.userId === userId && e.at >= since && e.at < until)
      .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i)
      .map(({ e }) => clone(e));
  }
  async recent(userId: string, limit: number) {
    return this.events
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.userId === userId)
      .sort((a, b) => b.e.at.localeCompare(a.e.at) || b.i - a.i)
      .slice(0, limit)
      .map(({ e }) => clone(e));
  }
}

/** Keyword-only knowledge base: scores a chunk by how many query words it contains. */
export class FakeKnowledgeBase implements KnowledgeBase {
  readonly chunks = new Map<string, { chunk: Chunk; manualName: string }>();
  readonly vectors = new Map<string, Float32Array>();
  async indexChunks(manualId: string, _ownerId: string, manualName: string, chunks: Chunk[]) {
    for (const [id, c] of this.chunks) if (c.chunk.manualId === manualId) this.chunks.delete(id);
    for (const c of chunks) this.chunks.set(c.id, { chunk: clone(c), manualName });
    for (const id of this.vectors.keys()) if (!this.chunks.has(id)) this.vectors.delete(id);
  }
  async putVectors(items: { chunkId: string; vector: Float32Array }[]) {
    for (const i of items) if (this.chunks.has(i.chunkId)) this.vectors.set(i.chunkId, i.vector);
  }
  async chunksWithoutVectors(manualId: string, limit: number) {
    return [...this.chunks.values()].filter((c) => c.chunk.manualId === manualId && !this.vectors.has(c.chunk.id)).slice(0, limit).map((c) => clone(c.chunk));
  }
  async search(q: SearchQuery): Promise<SearchHit[]> {
    const words = q.text.toLowerCase().split(/\W+/).filter(Boolean);
    return [...this.chunks.values()]
      .filter((c) => q.owners.includes(c.chunk.ownerId) && (!q.manualIds || q.manualIds.includes(c.chunk.manualId)))
      .map((c) => ({ chunk: clone(c.chunk), manualName: c.manualName, score: words.filter((w) => c.chunk.text.toLowerCase().includes(w)).length / Math.max(1, words.length) }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, q.limit);
  }
  async deleteManual(manualId: string) {
    let chunks = 0;
    let vectors = 0;
    for (const [id, c] of this.chunks) {
      if (c.chunk.manualId !== manualId) continue;
      this.chunks.delete(id);
      chunks++;
      if (this.vectors.delete(id)) vectors++;
    }
    return { chunks, vectors };
  }
}

/** Deterministic unit vectors from a hash of the text; counts calls so tests can see the batching. */
export class FakeEmbedder implements Embedder {
  readonly dimensions = 8;
  readonly modelId = 'fake-hash-8';
  calls: number[] = [];
  /** Throw on the n-th call (1-based), to simulate a crash mid-embedding. */
  failOnCall = 0;
  delayMs = 0;
  async embed(texts: string[]) {
    this.calls.push(texts.length);
    if (this.failOnCall && this.calls.length === this.failOnCall) throw new Error('embedder crashed');
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    return texts.map((t) => {
      const h = createHash('sha256').update(t).digest();
      const v = Float32Array.from({ length: this.dimensions }, (_, i) => h[i]! - 128);
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n);
    });
  }
}

/**
 * A "PDF" for the fake reader: the %PDF- magic then JSON pages, so use-case tests control the text
 * per page without a real PDF library. Anything else is invalid_pdf; `encrypted: true` is encrypted_pdf.
 */
export function fakePdf(
  pages: string[],
  opts: { encrypted?: boolean; labels?: (string | null)[]; keywords?: Record<string, number>; bomb?: string } = {},
): Buffer {
  return Buffer.from(`%PDF-1.7\n${JSON.stringify({ pages, labels: opts.labels, encrypted: opts.encrypted, keywords: opts.keywords, bomb: opts.bomb })}`);
}

/** Reads what a fakePdf says about itself: its `keywords`, or `bomb` (then it throws pdf_bomb). */
export class FakePdfInspector implements PdfInspector {
  inspections = 0;
  async inspect(pdf: Uint8Array): Promise<PdfInspection> {
    this.inspections++;
    let doc: { keywords?: Record<string, number>; bomb?: string } = {};
    try {
      doc = JSON.parse(Buffer.from(pdf).toString('utf8').slice(9));
    } catch {
      // not a fake PDF: nothing found, the reader will complain
    }
    if (doc.bomb) throw errors.pdfBomb(doc.bomb, `fake ${doc.bomb} bomb`);
    return { keywords: doc.keywords ?? {}, objects: 1, pages: 1, streams: 0, inflatedBytes: 0, opaqueObjectStreams: 0, ms: 0 };
  }
}

export class FakePdfReader implements PdfReader {
  reads = 0;
  async read(pdf: Uint8Array): Promise<{ info: PdfInfo; pages: PageText[] }> {
    this.reads++;
    const s = Buffer.from(pdf).toString('utf8');
    if (!s.startsWith('%PDF-1.7\n')) throw errors.invalidPdf('Not a fake PDF');
    let doc: { pages: string[]; labels?: (string | null)[]; encrypted?: boolean };
    try {
      doc = JSON.parse(s.slice(9));
    } catch {
      throw errors.invalidPdf('The PDF structure is damaged');
    }
    if (doc.encrypted) throw errors.encryptedPdf();
    return {
      info: { pages: doc.pages.length, title: null },
      pages: doc.pages.map((text, i) => ({ pageNumber: i + 1, label: doc.labels?.[i] ?? null, text })),
    };
  }
}
