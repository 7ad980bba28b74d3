import { Command } from 'commander';
import type { ManualList, ManualSummary } from '../api-types.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatBytes, formatDate, formatTable, formatTree } from '../format.js';
import { closePrompts, confirm } from '../prompt.js';

const manualPath = (id: string) => `/api/manuals/${encodeURIComponent(id)}`;

function listCommand(): Command {
  return new Command('list')
    .alias('ls')
    .description('list your manuals and the shared library')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const list = await ctx.api.request<ManualList>('GET', '/api/manuals');
      const manuals = list.manuals ?? [];
      if (manuals.length === 0) return ctx.print('No manuals yet: upload one with `manuel upload FILE.pdf`', list);
      const rows = manuals.map((m) => [m.id, String(m.pages ?? '-'), formatBytes(m.size), m.status, formatDate(m.upload_date), m.name]);
      ctx.print(formatTable(['ID', 'PAGES', 'SIZE', 'STATUS', 'UPLOADED', 'NAME'], rows), list);
    });
}

function infoCommand(): Command {
  return new Command('info')
    .description("show one manual's details")
    .argument('<id>', 'manual id (see `manuel manuals list`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const manual = await ctx.api.request<ManualSummary>('GET', manualPath(id));
      const warning = manual.quarantined === true ? [`QUARANTINED: ${String(manual.quarantine_reason)} (the original file is withheld until an admin releases it)`] : [];
      ctx.print([...warning, ...formatTree(manual)], manual);
    });
}

function deleteCommand(): Command {
  return new Command('delete')
    .alias('rm')
    .description('delete a manual, its file and its index entries')
    .argument('<id>', 'manual id')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!opts.yes) {
        // Fetch first so the question names the manual, and an unknown id fails before asking.
        const manual = await ctx.api.request<ManualSummary>('GET', manualPath(id));
        let ok: boolean;
        try {
          ok = await confirm(`Delete "${manual.name}" (${manual.pages ?? '?'} pages)?`);
        } finally {
          closePrompts();
        }
        if (!ok) throw new CliError('Not deleted (answer y to confirm, or pass --yes)');
      }
      const result = await ctx.api.request<{ success?: boolean; cleanup_summary?: unknown }>('DELETE', manualPath(id));
      ctx.print([`Deleted ${id}`, ...formatTree(result.cleanup_summary ?? {}, '  ')], result);
    });
}

export function manualsCommand(): Command {
  return new Command('manuals').description('list, inspect and delete manuals').addCommand(listCommand()).addCommand(infoCommand()).addCommand(deleteCommand());
}
