import { createHash } from 'node:crypto';
import { errors, isManuelError } from '../errors.js';
import { submitManual, type SubmitManualDeps } from '../ingest/submit-manual.js';
import { SHARED_OWNER, type Manual } from '../model/types.js';
import type { Clock } from '../ports/clock.js';
import type { IdentityProvider } from '../ports/identity-provider.js';
import type { UsageCounters } from '../ports/usage-counters.js';
import type { UsageRepo } from '../ports/usage-repo.js';
import type { UserRepo } from '../ports/user-repo.js';
import { QUOTA_OPERATIONS } from '../usage/usage-info.js';
import { usageEventKey, type ExportedManual, type ExportedUsageEvent, type ExportedUser } from './archive-format.js';

export interface UserImportResult {
  email: string;
  /** `exists`: an account with this email was already there and is left as it is. */
  status: 'created' | 'exists';
  /** `moved`: the old password works; `reset_required`: the user must set a new one. */
  password: 'moved' | 'reset_required' | 'unchanged';
}

/** Upsert by email: an existing account is never touched, so running the import again changes nothing. */
export async function importUsers(deps: { users: UserRepo; identity: IdentityProvider }, records: ExportedUser[]): Promise<UserImportResult[]> {
  const out: UserImportResult[] = [];
  for (const r of records) {
    const email = r.email.trim().toLowerCase();
    if (await deps.users.byEmail(email)) {
      out.push({ email, status: 'exists', password: 'unchanged' });
      continue;
    }
    const adopted = await deps.identity.adopt({ email, name: r.name, isAdmin: r.is_admin, passwordHash: r.password_hash, hashScheme: r.hash_scheme });
    try {
      await deps.users.create({ id: adopted.userId, email, name: r.name, passwordHash: adopted.passwordHash, isAdmin: r.is_admin, createdAt: r.created_at });
    } catch (e) {
      // Another import of the same archive won the race: the account is there.
      if (isManuelError(e) && e.code === 'conflict') {
        out.push({ email, status: 'exists', password: 'unchanged' });
        continue;
      }
      throw e;
    }
    out.push({ email, status: 'created', password: adopted.passwordMoved ? 'moved' : 'reset_required' });
  }
  return out;
}

export interface ManualImportResult {
  manual_id: string;
  status: 'created' | 'exists';
  ingestion: Manual['status'];
}

/**
 * One PDF uploaded on behalf of its owner through the normal submission (stored by hash, queued for
 * ingestion on this deployment's pipeline). The owner's manual with the same bytes is the same manual:
 * a second import finds it (ManualRepo.findByHash) and adds nothing.
 */
export async function importManual(
  deps: SubmitManualDeps & { users: UserRepo },
  record: Pick<ExportedManual, 'owner_email' | 'shared' | 'name' | 'file_name' | 'upload_date' | 'source' | 'content_hash'>,
  data: Buffer,
): Promise<ManualImportResult> {
  const hash = createHash('sha256').update(data).digest('hex');
  if (hash !== record.content_hash) throw errors.validation(`file: its sha256 is ${hash}, the record says ${record.content_hash}`, { field: 'file' });
  let ownerId = SHARED_OWNER;
  if (!record.shared) {
    const owner = record.owner_email ? await deps.users.byEmail(record.owner_email.trim().toLowerCase()) : null;
    if (!owner) throw errors.validation(`owner_email: no user ${record.owner_email ?? '(none)'} here; import the users first`, { field: 'owner_email' });
    ownerId = owner.id;
  }
  const existing = await deps.manuals.findByHash(ownerId, hash);
  if (existing) return { manual_id: existing.id, status: 'exists', ingestion: existing.status };
  const result = await submitManual(deps, { ownerId, fileName: record.file_name, name: record.name, data, source: record.source });
  // The original upload date, so lists keep their order; ingestion itself is this deployment's own.
  await deps.manuals.update(result.manual.id, { uploadDate: new Date(record.upload_date).toISOString() });
  return { manual_id: result.manual.id, status: result.duplicate ? 'exists' : 'created', ingestion: result.manual.status };
}

export interface UsageImportResult {
  recorded: number;
  skipped: number;
  /** Emails with no account here (their events are not imported). */
  unknown_users: string[];
}

/**
 * History merged event by event: an event whose key (usageEventKey) the user's history here already
 * holds as many times is skipped. The events of this UTC month that count towards quotas are added to
 * the counters too, so a moved user's quota goes on from where it was.
 */
export async function importUsage(
  deps: { users: UserRepo; usage: UsageRepo; counters: UsageCounters; clock: Clock },
  events: ExportedUsageEvent[],
): Promise<UsageImportResult> {
  const byUser = new Map<string, ExportedUsageEvent[]>();
  for (const e of events) {
    const email = e.user_email.trim().toLowerCase();
    byUser.set(email, [...(byUser.get(email) ?? []), e]);
  }
  const month = deps.clock.now().toISOString().slice(0, 7);
  const result: UsageImportResult = { recorded: 0, skipped: 0, unknown_users: [] };
  for (const [email, list] of byUser) {
    const user = await deps.users.byEmail(email);
    if (!user) {
      result.unknown_users.push(email);
      continue;
    }
    const times = list.map((e) => new Date(e.at).getTime());
    const since = new Date(Math.min(...times)).toISOString();
    const until = new Date(Math.max(...times) + 1).toISOString();
    const held = new Map<string, number>();
    for (const h of await deps.usage.history(user.id, since, until)) {
      const k = usageEventKey({ operation: h.operation, at: h.at, cost_eur: h.costEur, detail: h.detail ?? null });
      held.set(k, (held.get(k) ?? 0) + 1);
    }
    for (const e of list) {
      const k = usageEventKey(e);
      const n = held.get(k) ?? 0;
      if (n > 0) {
        held.set(k, n - 1);
        result.skipped++;
        continue;
      }
      const at = new Date(e.at);
      const operation = e.operation;
      await deps.usage.record({ userId: user.id, operation, at: at.toISOString(), costEur: e.cost_eur, ...(e.detail ? { detail: e.detail } : {}) });
      if (QUOTA_OPERATIONS.includes(operation) && at.toISOString().startsWith(month)) await deps.counters.add(user.id, at, { count: 1, costEur: e.cost_eur });
      result.recorded++;
    }
  }
  return result;
}
