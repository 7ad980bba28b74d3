import { SHARED_OWNER, type Manual, type User } from '../model/types.js';
import type { ApiKeyRepo } from '../ports/api-key-repo.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetter, DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { ErrorRecord, ErrorTracker } from '../ports/error-tracker.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import type { UsageCounters } from '../ports/usage-counters.js';
import type { UsageRepo } from '../ports/usage-repo.js';
import type { UserRepo } from '../ports/user-repo.js';
import { errors } from '../errors.js';
import type { ExportedApiKey, ExportedCounters, ExportedManual, ExportedUsageEvent, ExportedUser, HashScheme } from './archive-format.js';

export interface ExportDeps {
  users: UserRepo;
  manuals: ManualRepo;
  usage: UsageRepo;
  counters: UsageCounters;
  apiKeys: ApiKeyRepo;
  blobs: BlobStore;
  clock: Clock;
  /** Absent when EnableAdvancedErrorHandling is off: the sections are then empty. */
  deadLetters?: DeadLetterQueue;
  errorTracker?: ErrorTracker;
}

export interface ExportSections {
  users: ExportedUser[];
  manuals: ExportedManual[];
  usage: ExportedUsageEvent[];
  counters: ExportedCounters[];
  api_keys: ExportedApiKey[];
  dead_letters: DeadLetter[];
  errors: ErrorRecord[];
}

const EPOCH = '1970-01-01T00:00:00.000Z';
/** Enough for any DLQ or error table a deployment keeps (both are pruned by retention). */
const OPS_LIMIT = 100_000;

function schemeOf(hash: string): HashScheme | null {
  return hash.startsWith('scrypt$') ? 'scrypt' : null;
}

/** Every section of the archive but the PDF bytes (fetched one by one: see manualFile). Over the ports only. */
export async function exportSections(deps: ExportDeps): Promise<ExportSections> {
  const users = await deps.users.list();
  const emailOf = new Map(users.map((u) => [u.id, u.email]));
  const now = deps.clock.now();
  const until = new Date(now.getTime() + 1).toISOString();

  const manuals = (await deps.manuals.list([...emailOf.keys(), SHARED_OWNER])).map(
    (m): ExportedManual => ({
      id: m.id,
      owner_id: m.ownerId,
      owner_email: m.ownerId === SHARED_OWNER ? null : (emailOf.get(m.ownerId) ?? null),
      shared: m.ownerId === SHARED_OWNER,
      name: m.name,
      file_name: m.fileName,
      content_hash: m.contentHash,
      size: m.size,
      upload_date: m.uploadDate,
      source: m.source,
      status: m.status,
      quarantine_reason: m.quarantineReason,
    }),
  );

  const usage: ExportedUsageEvent[] = [];
  const counters: ExportedCounters[] = [];
  for (const u of users) {
    for (const e of await deps.usage.history(u.id, EPOCH, until)) {
      usage.push({ user_email: u.email, operation: e.operation, at: e.at, cost_eur: e.costEur, detail: e.detail ?? null });
    }
    const t = await deps.counters.read(u.id, now);
    counters.push({ user_email: u.email, at: now.toISOString(), day: { count: t.day.count, cost_eur: t.day.costEur }, month: { count: t.month.count, cost_eur: t.month.costEur } });
  }

  const apiKeys = (await deps.apiKeys.listAll())
    .filter((k) => emailOf.has(k.userId))
    .map((k): ExportedApiKey => ({ key_id: k.keyId, user_email: emailOf.get(k.userId)!, name: k.name, secret_sha256: k.secretSha256, created_at: k.createdAt }));

  return {
    users: users.map(toExportedUser),
    manuals,
    usage,
    counters,
    api_keys: apiKeys,
    dead_letters: deps.deadLetters ? await deps.deadLetters.list({ limit: OPS_LIMIT }) : [],
    errors: deps.errorTracker ? await deps.errorTracker.list({ limit: OPS_LIMIT }) : [],
  };
}

function toExportedUser(u: User): ExportedUser {
  const scheme = schemeOf(u.passwordHash);
  return { email: u.email, name: u.name, is_admin: u.isAdmin, created_at: u.createdAt, password_hash: scheme ? u.passwordHash : null, hash_scheme: scheme };
}

/** The PDF bytes of any owner's manual (admin export); the owner id comes from the export's manual record. */
/** Any owner's manual record (admin export): 404 when that owner has no such manual. */
export async function exportedManual(deps: Pick<ExportDeps, 'manuals'>, manualId: string, ownerId: string): Promise<Manual> {
  const m = await deps.manuals.get(manualId, [ownerId]);
  if (!m) throw errors.notFound('Manual');
  return m;
}

export async function manualFile(deps: Pick<ExportDeps, 'manuals' | 'blobs'>, manualId: string, ownerId: string): Promise<{ data: Buffer; fileName: string }> {
  const m = await exportedManual(deps, manualId, ownerId);
  const data = await deps.blobs.get(m.blobKey);
  if (!data) throw errors.notFound('Manual file');
  return { data, fileName: m.fileName };
}
