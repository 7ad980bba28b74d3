import type { ExportedManual, ExportedUsageEvent, ExportedUser } from '../../../core/migration/archive-format.js';
import type { AdminClient } from '../archive/admin-client.js';
import { openArchive } from '../archive/archive-files.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';

interface UsersResult {
  users: Array<{ email: string; status: 'created' | 'exists'; password: 'moved' | 'reset_required' | 'unchanged' }>;
}
interface ManualResult {
  manual_id: string;
  status: 'created' | 'exists';
  ingestion: string;
}
interface UsageResult {
  recorded: number;
  skipped: number;
  unknown_users: string[];
}

// Under MaxRequestSizeMB (1 MB by default) with room: a user record is < 300 bytes, an event < 1 KB.
const USER_BATCH = 500;
const EVENT_BATCH = 500;

const chunks = <T>(list: T[], n: number): T[][] => Array.from({ length: Math.ceil(list.length / n) }, (_, i) => list.slice(i * n, (i + 1) * n));

/**
 * `manuel import --in DIR`: checks the whole archive first (format, version, every checksum, every
 * manual's PDF present), then users -> manuals -> usage, each idempotent on the server.
 */
export async function importArchive(ctx: CliContext, client: AdminClient, dir: string): Promise<void> {
  const archive = await openArchive(dir);
  const users = await archive.jsonl<ExportedUser>('users.jsonl');
  const manuals = await archive.jsonl<ExportedManual>('manuals.jsonl');
  const events = await archive.jsonl<ExportedUsageEvent>('usage.jsonl');
  const apiKeys = await archive.jsonl<unknown>('api-keys.jsonl');
  const missing = manuals.filter((m) => !archive.manifest.files[`manuals/${m.content_hash}.pdf`]);
  if (missing.length) throw new CliError(`The archive lacks the PDF of ${missing.map((m) => m.name).join(', ')}. Nothing was imported.`);

  const userResults: UsersResult['users'] = [];
  for (const batch of chunks(users, USER_BATCH)) userResults.push(...(await client.json<UsersResult>('POST', '/api/admin/import/users', { users: batch })).users);

  const manualResults: Array<ManualResult & { name: string; owner: string }> = [];
  for (const m of manuals) {
    const data = await archive.read(`manuals/${m.content_hash}.pdf`);
    const fields: Record<string, string> = {
      shared: String(m.shared),
      name: m.name,
      file_name: m.file_name,
      upload_date: m.upload_date,
      source: m.source,
      content_hash: m.content_hash,
      ...(m.owner_email ? { owner_email: m.owner_email } : {}),
    };
    if (!m.shared && !m.owner_email) {
      ctx.note(`  skipped ${m.name}: its owner's account was gone on the source`);
      continue;
    }
    // Through a direct upload (any size up to the server's limit, past API Gateway's 10 MB on AWS);
    // a server without direct uploads takes the multipart import route.
    const uploadId = await client.stage({ name: m.file_name, data, sha256: m.content_hash });
    const r = uploadId
      ? await client.json<ManualResult>('POST', '/api/admin/import/manuals/staged', { ...fields, shared: m.shared, upload_id: uploadId })
      : await client.form<ManualResult>('/api/admin/import/manuals', fields, { name: m.file_name, data });
    manualResults.push({ ...r, name: m.name, owner: m.owner_email ?? 'shared' });
    ctx.note(`  ${r.status === 'created' ? 'queued ' : 'exists '} ${m.name} (${m.owner_email ?? 'shared'})`);
  }

  const usage: UsageResult = { recorded: 0, skipped: 0, unknown_users: [] };
  for (const batch of chunks(events, EVENT_BATCH)) {
    const r = await client.json<UsageResult>('POST', '/api/admin/import/usage', { events: batch });
    usage.recorded += r.recorded;
    usage.skipped += r.skipped;
    usage.unknown_users.push(...r.unknown_users.filter((e) => !usage.unknown_users.includes(e)));
  }

  const created = userResults.filter((u) => u.status === 'created');
  const resets = userResults.filter((u) => u.password === 'reset_required');
  const lines = [
    `Imported ${dir} (from ${archive.manifest.source.url}, ${archive.manifest.exported_at}) into ${client.base}`,
    `  users: ${created.length} created, ${userResults.length - created.length} already there`,
    ...resets.map((u) => `    ${u.email}: password not moved (this deployment cannot use the source's hash): must set a new password`),
    `  manuals: ${manualResults.filter((m) => m.status === 'created').length} queued for ingestion, ${manualResults.filter((m) => m.status === 'exists').length} already there`,
    `  usage events: ${usage.recorded} added, ${usage.skipped} already there${usage.unknown_users.length ? `, skipped for unknown users ${usage.unknown_users.join(', ')}` : ''}`,
    `  API keys: ${apiKeys.length} not moved (secrets stay sealed on the source): their users create new ones with \`manuel keys create\``,
    '  dead letters and error records: kept in the archive for the record, not imported (they name the source\'s jobs)',
  ];
  ctx.print(lines, { users: userResults, manuals: manualResults, usage, api_keys_not_moved: apiKeys.length, password_resets: resets.map((u) => u.email) });
}
