import { Command } from 'commander';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportedManual } from '../../../core/migration/archive-format.js';
import { AdminClient } from '../archive/admin-client.js';
import { ArchiveWriter, sha256, toJsonl } from '../archive/archive-files.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';

interface ExportResponse {
  version: number;
  exported_at: string;
  source_version: string;
  users: unknown[];
  manuals: ExportedManual[];
  usage: unknown[];
  counters: unknown[];
  api_keys: unknown[];
  dead_letters: unknown[];
  errors: unknown[];
}

export interface AdminOptions {
  url?: string;
  adminToken?: string;
  serverKey?: string;
}

export function adminClientOf(opts: AdminOptions): AdminClient {
  const adminToken = opts.adminToken ?? process.env.MANUEL_ADMIN_TOKEN;
  if (!opts.url) throw new CliError('--url is required (the deployment to talk to)', 2);
  if (!adminToken) throw new CliError('--admin-token (or MANUEL_ADMIN_TOKEN) is required: an administrator access token of that deployment', 2);
  return new AdminClient({ url: opts.url, adminToken, serverKey: opts.serverKey ?? process.env.MANUEL_SERVER_KEY });
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write everything of a deployment (users, manuals, usage, API key ids, DLQ, errors) to a portable archive directory')
    .requiredOption('--out <dir>', 'archive directory (created; must not hold an archive already)')
    .option('--url <url>', 'the deployment to export')
    .option('--admin-token <token>', 'an administrator access token of it (default: MANUEL_ADMIN_TOKEN)')
    .option('--server-key <secret>', 'one of its HMACSigningKey secrets, when its admin routes need signed requests (default: MANUEL_SERVER_KEY)')
    .action(async (opts: AdminOptions & { out: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const client = adminClientOf(opts);
      if (await access(join(opts.out, 'manifest.json')).then(() => true, () => false)) {
        throw new CliError(`${opts.out} already holds an archive (manifest.json); choose another --out`, 2);
      }
      const data = await client.json<ExportResponse>('GET', '/api/admin/export');
      const w = new ArchiveWriter(opts.out);
      // One file per distinct content: two owners' copies of a PDF are one file in the archive.
      for (const m of data.manuals) {
        const rel = `manuals/${m.content_hash}.pdf`;
        if (w.files[rel]) continue;
        const pdf = await client.bytes(`/api/admin/export/manuals/${encodeURIComponent(m.id)}/file?owner_id=${encodeURIComponent(m.owner_id)}`);
        if (sha256(pdf) !== m.content_hash) throw new CliError(`${m.name}: the server sent bytes whose sha256 is not the manual's content hash`);
        await w.write(rel, pdf);
        ctx.note(`  ${m.name} (${m.owner_email ?? 'shared'})`);
      }
      const sections: Record<string, unknown[]> = {
        'users.jsonl': data.users,
        'manuals.jsonl': data.manuals,
        'usage.jsonl': data.usage,
        'usage-counters.jsonl': data.counters,
        'api-keys.jsonl': data.api_keys,
        'dead-letters.jsonl': data.dead_letters,
        'errors.jsonl': data.errors,
      };
      for (const [rel, records] of Object.entries(sections)) await w.write(rel, toJsonl(records));
      const counts = {
        users: data.users.length,
        manuals: data.manuals.length,
        manual_files: Object.keys(w.files).filter((f) => f.startsWith('manuals/')).length,
        usage_events: data.usage.length,
        api_keys: data.api_keys.length,
        dead_letters: data.dead_letters.length,
        errors: data.errors.length,
      };
      const manifest = await w.finish({ exported_at: data.exported_at, source: { url: client.base, version: data.source_version }, counts });
      ctx.print(
        [
          `Exported ${client.base} to ${opts.out} (format manuel-export v${manifest.version})`,
          ...Object.entries(counts).map(([k, v]) => `  ${k.replace(/_/g, ' ')}: ${v}`),
          'API keys are listed by id and secret hash only: their secrets stay sealed on the source, so keys must be created again after an import.',
        ],
        manifest,
      );
    });
}
