import { errors } from '../errors.js';
import { SHARED_OWNER, type User } from '../model/types.js';
import { deleteManual } from '../manuals/manage-manuals.js';
import type { ApiKeyRepo } from '../ports/api-key-repo.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IdentityProvider } from '../ports/identity-provider.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { KnowledgeBase } from '../ports/knowledge-base.js';
import type { ManualRepo } from '../ports/manual-repo.js';
import type { UserRepo } from '../ports/user-repo.js';

export interface DeleteAccountDeps {
  users: UserRepo;
  identity: IdentityProvider;
  manuals: ManualRepo;
  jobs: JobQueue;
  blobs: BlobStore;
  kb: KnowledgeBase;
  apiKeys: ApiKeyRepo;
  ops?: { deadLetters?: DeadLetterQueue };
}

export interface AccountDeletion {
  user_id: string;
  email: string;
  /** Ids of the manuals removed with their files, index entries and jobs (the HTTP layer drops their rendered pages). */
  manual_ids: string[];
  api_keys_deleted: number;
}

/**
 * Deletes an account and what it owns: sign-in and every session first (no new activity while the rest
 * goes), then its API keys (signed requests stop), its manuals (blobs not shared by another manual, index
 * entries, jobs, dead letters), and the profile last (bearer tokens stop verifying). A deletion that
 * fails half-way can simply be run again: each step is idempotent and the profile is still there to find.
 *
 * Usage events, counters and costs stay: they are the deployment's history (the day's cost against
 * DailyCostThreshold, the usage an operator reconciles with the bill), keyed by an id that no longer
 * names anyone once the profile is gone; an export after the deletion carries no email for them.
 *
 * The last administrator cannot be deleted: the deployment would be left without anyone to run it.
 */
export async function deleteAccount(deps: DeleteAccountDeps, userId: string): Promise<AccountDeletion> {
  if (userId === SHARED_OWNER) throw errors.notFound('User');
  const user = await deps.users.byId(userId);
  if (!user) throw errors.notFound('User');
  if (user.isAdmin && !(await otherAdminExists(deps.users, user))) {
    throw errors.conflict('This is the only administrator: make another account admin before deleting it');
  }
  await deps.identity.deleteAccount({ userId: user.id, email: user.email });
  let apiKeys = 0;
  for (const key of await deps.apiKeys.listForUser(user.id)) if (await deps.apiKeys.delete(user.id, key.keyId)) apiKeys++;
  const manualIds: string[] = [];
  for (const manual of await deps.manuals.list([user.id])) {
    if (manual.ownerId !== user.id) continue;
    await deleteManual(deps, { userId: user.id, manualId: manual.id });
    manualIds.push(manual.id);
  }
  await deps.users.delete(user.id);
  return { user_id: user.id, email: user.email, manual_ids: manualIds, api_keys_deleted: apiKeys };
}

async function otherAdminExists(users: UserRepo, user: User): Promise<boolean> {
  return (await users.list()).some((u) => u.isAdmin && u.id !== user.id);
}
